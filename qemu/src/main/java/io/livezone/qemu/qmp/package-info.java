/**
 * Hand-written client for the QEMU Machine Protocol (QMP) over a unix domain socket.
 *
 * <p>Entry point: {@link io.livezone.qemu.qmp.QmpClient#connect}. Failures are unchecked and rooted
 * at {@link io.livezone.qemu.qmp.QmpException}.
 */
package io.livezone.qemu.qmp;
