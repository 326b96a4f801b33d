/**
 * UDP wire format shared by the zone server and the bots.
 *
 * <p>Everything here must depend on {@code java.base} only: the zone server runs in a guest whose
 * jlink'd runtime contains nothing else.
 */
package io.livezone.dve.protocol;
