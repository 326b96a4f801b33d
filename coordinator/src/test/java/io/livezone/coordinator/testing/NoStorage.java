package io.livezone.coordinator.testing;

import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.RemoteDisk;
import io.livezone.core.cluster.ServeDiskRequest;
import io.livezone.core.cluster.StorageGateway;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;

/**
 * The storage half of a fake agent whose zones have no disks: the coordinator must never ask for
 * any of it, so every call fails the test that made it.
 */
abstract class NoStorage implements StorageGateway {
    private static UnsupportedOperationException noDisks() {
        return new UnsupportedOperationException("the fake agent's zones have no disks");
    }

    @Override
    public BaseImageInfo createBaseImage(BaseImageSpec spec) {
        throw noDisks();
    }

    @Override
    public BaseImageInfo importBaseImage(BaseImageImport request) {
        throw noDisks();
    }

    @Override
    public TransferTicket receiveBaseImage(BaseImageInfo image) {
        throw noDisks();
    }

    @Override
    public StorageTransfer sendBaseImage(BaseImageSend request) {
        throw noDisks();
    }

    @Override
    public DiskTicket incomingDisk(String zone) {
        throw noDisks();
    }

    @Override
    public StorageTransfer mirrorDisk(String zone, DiskMirrorRequest request) {
        throw noDisks();
    }

    @Override
    public StorageTransfer outgoingDisk(String zone) {
        throw noDisks();
    }

    @Override
    public void abortDiskMirror(String zone) {
        throw noDisks();
    }

    @Override
    public RemoteDisk serveDisk(ServeDiskRequest request) {
        throw noDisks();
    }

    @Override
    public void stopServingDisk(String zone) {
        throw noDisks();
    }

    @Override
    public StorageTransfer pullDisk(String zone) {
        throw noDisks();
    }
}
