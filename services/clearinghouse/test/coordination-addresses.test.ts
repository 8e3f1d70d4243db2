/**
 * IP and CIDR arithmetic for scan targets, checked against Node's own parser (net.isIP,
 * net.BlockList) on random addresses, and the special-purpose ranges a scan must never reach.
 */
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import {
  aggregatePrefixes, formatIp, formatPrefix, parseCidr, parseIp, parseIPv4, parseIPv6, prefixContains, rangeOf, specialPurposeOf, type IpPrefix,
} from '../src/domain/coordination/addresses';

const prefix = (text: string) => {
  const p = parseCidr(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
};

describe('parsing addresses', () => {
  it.each([
    ['192.0.2.1', 4], ['0.0.0.0', 4], ['255.255.255.255', 4],
    ['::', 6], ['::1', 6], ['2001:db8::1', 6], ['2001:DB8:0:0:0:0:0:1', 6], ['::ffff:192.0.2.1', 6], ['1:2:3:4:5:6:1.2.3.4', 6], ['1:2:3:4:5:6:7::', 6], ['::2:3:4:5:6:7:8', 6],
  ])('accepts %s', (text, version) => {
    expect(parseIp(text)?.version).toBe(version);
  });

  it.each([
    '010.1.1.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', '0x7f.0.0.1', ' 1.2.3.4', '1.2.3.4 ',
    '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '1:2:3:4:5:6:7::8', '1:2:3:4:5:6::1.2.3.4', 'fe80::1%eth0', '12345::', '::1.2.3', 'g::1', '::ffff:1.2.3.04', '',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('agrees with net.isIP on random addresses, and prints them canonically (property)', () => {
    fc.assert(fc.property(fc.ipV4(), (text) => {
      const v = parseIPv4(text);
      expect(v).toBeDefined();
      expect(formatIp(4, v!)).toBe(text);
    }));
    fc.assert(fc.property(fc.ipV6(), (text) => {
      const v = parseIPv6(text);
      expect(v).toBeDefined();
      expect(isIP(text)).toBe(6);
      // The canonical form parses back to the same number, and is what the WHATWG URL parser prints.
      const canonical = formatIp(6, v!);
      expect(parseIPv6(canonical)).toBe(v);
      expect(new URL(`http://[${text}]/`).hostname).toBe(`[${canonical}]`);
    }), { numRuns: 2000 });
  });

  it('never accepts what net.isIP refuses (property)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdef:.'.split('')), maxLength: 45 }), (text) => {
      if (parseIp(text) !== undefined) expect(isIP(text)).not.toBe(0);
    }), { numRuns: 5000 });
  });
});

describe('CIDR prefixes', () => {
  it('refuses host bits, naming the network it probably means', () => {
    expect(parseCidr('10.1.2.3/16')).toBe('has host bits set after /16: the network is 10.1.0.0/16');
    expect(parseCidr('2001:db8::1/32')).toMatch(/the network is 2001:db8::\/32/);
    expect(parseCidr('1.2.3.0/33')).toMatch(/prefix length from 0 to 32/);
    expect(parseCidr('1.2.3.0/024')).toMatch(/prefix length/);
    expect(parseCidr('1.2.3.0')).toMatch(/CIDR notation/);
  });

  it('containment agrees with net.BlockList (property)', () => {
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (net, length, addr) => {
      const p = parseIPv4(net)!;
      const network = length === 0 ? 0n : p & ~((1n << BigInt(32 - length)) - 1n);
      const outer: IpPrefix = { version: 4, network, length };
      const list = new BlockList();
      list.addSubnet(formatIp(4, network), length, 'ipv4');
      const a = parseIPv4(addr)!;
      expect(prefixContains(outer, { version: 4, network: a, length: 32 })).toBe(list.check(addr, 'ipv4'));
    }), { numRuns: 2000 });
  });

  it('aggregates to the fewest prefixes covering exactly the same addresses (property)', () => {
    // Small prefixes inside one /20, so unions and siblings are common.
    const base = parseIPv4('20.1.0.0')!;
    const arbPrefix = fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 20, max: 32 })).map(([offset, length]): IpPrefix => {
      const mask = ~((1n << BigInt(32 - length)) - 1n);
      return { version: 4, network: (base + BigInt(offset)) & mask, length };
    });
    fc.assert(fc.property(fc.array(arbPrefix, { maxLength: 12 }), (prefixes) => {
      const agg = aggregatePrefixes(prefixes);
      // Which of the /20's addresses each list covers, as a bitmap.
      const bitmap = (list: IpPrefix[]) => {
        const bits = new Uint8Array(4096);
        for (const p of list) {
          const [lo, hi] = rangeOf(p);
          bits.fill(1, Number(lo - base), Number(hi - base) + 1);
        }
        return Buffer.from(bits).toString('hex');
      };
      expect(bitmap(agg)).toBe(bitmap(prefixes));
      // No two overlap and no two are joinable halves: it cannot be made shorter.
      for (let i = 0; i < agg.length; i++) for (let j = i + 1; j < agg.length; j++) {
        const [lo1, hi1] = rangeOf(agg[i]!), [lo2, hi2] = rangeOf(agg[j]!);
        expect(hi1 < lo2 || hi2 < lo1).toBe(true);
        expect(agg[i]!.length === agg[j]!.length && hi1 + 1n === lo2 && agg[i]!.network % (1n << BigInt(33 - agg[i]!.length)) === 0n).toBe(false);
      }
      expect(aggregatePrefixes(agg)).toEqual(agg);
      expect(aggregatePrefixes([...prefixes].reverse())).toEqual(agg);
    }), { numRuns: 300 });
  });

  it('joins halves across levels', () => {
    expect(aggregatePrefixes(['20.0.0.0/25', '20.0.0.128/26', '20.0.0.192/26', '20.0.1.0/24'].map(prefix)).map(formatPrefix)).toEqual(['20.0.0.0/23']);
    expect(aggregatePrefixes(['2600::/17', '2600:8000::/17', '20.0.0.5/32'].map(prefix)).map(formatPrefix)).toEqual(['20.0.0.5/32', '2600::/16']);
  });
});

describe('special-purpose space', () => {
  it.each([
    ['10.20.0.0/16', /private-use/], ['192.168.1.0/24', /private-use/], ['172.31.0.0/16', /private-use/], ['127.0.0.1/32', /loopback/],
    ['169.254.0.0/16', /link-local/], ['100.64.0.0/16', /carrier-grade NAT/], ['224.0.0.0/24', /multicast/], ['255.255.255.255/32', /reserved/],
    ['192.0.2.0/24', /documentation/], ['198.18.0.0/16', /benchmarking/], ['0.0.0.0/8', /this network/], ['172.0.0.0/8', /private-use/],
    ['::1/128', /not IPv6 global unicast/], ['fe80::/64', /not IPv6 global unicast/], ['fd00::/48', /not IPv6 global unicast/], ['::ffff:0:0/96', /not IPv6 global unicast/],
    ['64:ff9b::/96', /not IPv6 global unicast/], ['ff02::/16', /not IPv6 global unicast/], ['2001:db8::/32', /documentation/], ['2002::/16', /6to4/], ['2001::/32', /Teredo/],
    ['::/0', /reaches beyond IPv6 global unicast/],
  ])('%s is refused', (cidr, reason) => {
    expect(specialPurposeOf(prefix(cidr))).toMatch(reason);
  });

  it.each(['20.1.0.0/16', '8.8.8.0/24', '2600:1f18::/32', '2a00:1450:4001::/48'])('%s is public', (cidr) => {
    expect(specialPurposeOf(prefix(cidr))).toBeUndefined();
  });
});
