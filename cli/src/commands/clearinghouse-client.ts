/** What every `rampart clearinghouse ...` command shares: its globals and one unary call printed as proto JSON. */
import { insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { invokeRpc, printResponse } from '../context';

export interface ClearinghouseGlobals {
  token?: string;
  clearinghouseAddr: string;
}

export type ClearinghouseMethod = Extract<keyof v1.ClearinghouseServiceClient, string>;

/** Calls `method` with a request built from a partial, and prints the response. */
export async function callClearinghouse(globals: ClearinghouseGlobals, method: ClearinghouseMethod, request: object): Promise<void> {
  printResponse(v1, method, await invokeRpc(new v1.ClearinghouseServiceClient(globals.clearinghouseAddr, insecure()), v1, method, request, globals.token));
}

export const collect = (value: string, previous: string[]) => [...previous, value];
