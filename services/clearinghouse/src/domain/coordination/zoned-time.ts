/** Instants that carry their time zone: the rule every service shares (libs/errors zoned-time.ts). */
export { formatZonedTime, offsetMinutesAt, parseZonedTime, ZONED_TIME_EXAMPLE, zonedTimeOf, type ZonedTime } from '@rampart/errors';
