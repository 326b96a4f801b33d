/**
 * The zone server. It runs inside a tiny VM guest whose jlink'd runtime holds only {@code
 * java.base}, so this package (and {@code io.livezone.dve.protocol}) must never reference anything
 * else — no Jackson, no SLF4J. It knows nothing about migration: it just keeps ticking.
 */
package io.livezone.dve.server;
