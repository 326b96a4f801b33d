/**
 * Simulated players ("bots") that measure what a player feels while the zone VM is migrated:
 * application-level RTT, update gaps, lost/duplicated/out-of-order updates, digest-chain breaks and
 * disconnects. Unlike the server this side may use Jackson (for the JSON export).
 */
package io.livezone.dve.bot;
