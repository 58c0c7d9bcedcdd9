// Package cloudwatch reads EKS control-plane logs from CloudWatch Logs
// without losing or repeating events. It is the only kubelens package that
// imports aws-sdk-go-v2, so the search command never links the SDK.
//
// The package provides:
//   - NewClient, the SDK client configured for a long-lived poller: the
//     region, static or default-chain credentials, an optional assumed role,
//     an endpoint override, standard retries with a bounded backoff and no
//     retry quota, our own per-attempt call-rate limit, and counters of
//     throttles and server errors for the health line;
//   - Cursor, the position of one query: a watermark plus the hashes of the
//     event IDs emitted in the overlap window;
//   - Puller, which runs one FilterLogEvents query per poll over
//     [watermark, now − lag], or, every sweep interval, a late sweep over
//     [end of the previous sweep's window − overlap, now − lag]; follows
//     nextToken through empty
//     pages, drops already-emitted events by eventId, and hands each page's
//     new events to a Handler before recording them in the cursor.
//
// Why an overlap and eventIds: FilterLogEvents filters on the producer
// timestamp, and CloudWatch ingests events late and out of order, so a
// "last timestamp seen" cursor skips events that arrive after it has passed
// their timestamp. Re-reading a window behind the watermark picks them up;
// the eventIds of what was already emitted keep the re-read from repeating.
// Why sweeps: a poll that re-reads the overlap reads every event about
// (overlap + poll interval) / poll interval times, 21 with the defaults,
// and FilterLogEvents allows 5 calls a second per account and Region.
// Sweeping every few minutes reads each event about
// 2 + overlap / sweep interval times for the same bound on lateness, at
// the price of late events waiting for the next sweep.
package cloudwatch
