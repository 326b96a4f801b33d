package io.livezone.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.Probe;
import io.livezone.core.image.ServicePort;
import io.livezone.core.image.ZoneImage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ImageStoreTest {
    @TempDir Path dir;

    static ImageRecipe recipe(String name, String exec) {
        return new ImageRecipe(
                name,
                List.of("redis-server"),
                exec,
                List.of(ServicePort.parse("tcp/6379")),
                Probe.parse("tcp/6379"),
                256);
    }

    static ZoneImage image(ImageRecipe r) {
        return new ZoneImage(r.name(), r.digest("test"), r, "a".repeat(64), 4096, 1, 2);
    }

    private ZoneImage stored(ImageStore store, ImageRecipe r) throws Exception {
        Path staging = store.staging(r.name());
        Files.writeString(staging.resolve(ImageStore.ROOT_DISK), "disk");
        return store.commit(staging, image(r));
    }

    @Test
    void anImageIsStoredWholeFoundListedAndDeleted() throws Exception {
        ImageStore store = new ImageStore(dir);
        ZoneImage redis = stored(store, recipe("redis", "redis-server"));
        stored(store, recipe("echo", "socat"));
        assertThat(store.find("redis")).contains(redis);
        assertThat(store.list()).extracting(ZoneImage::name).containsExactly("echo", "redis");
        assertThat(store.rootDisk("redis")).hasContent("disk");
        assertThat(store.delete("redis")).isTrue();
        assertThat(store.delete("redis")).isFalse();
        assertThat(store.find("redis")).isEmpty();
        assertThat(store.list()).extracting(ZoneImage::name).containsExactly("echo");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("echo");
        }
    }

    @Test
    void anImageWhoseRootDiskIsOpenIsNotDeleted() throws Exception {
        ImageStore store = new ImageStore(dir);
        stored(store, recipe("redis", "redis-server"));
        try (var reader = java.nio.channels.FileChannel.open(store.rootDisk("redis"))) {
            assertThatThrownBy(() -> store.delete("redis"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("in use")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        assertThat(store.find("redis")).isPresent();
        assertThat(store.delete("redis")).isTrue();
    }

    @Test
    void anInterruptedBuildLeavesNothingThatLooksLikeAnImage() throws Exception {
        ImageStore store = new ImageStore(dir);
        Path staging = store.staging("redis");
        Files.writeString(staging.resolve(ImageStore.ROOT_DISK), "half");
        assertThat(store.find("redis")).isEmpty();
        assertThat(store.list()).isEmpty();
        store.sweep();
        assertThat(staging).doesNotExist();
    }

    @Test
    void anUnknownImageIsAClearError() throws Exception {
        ImageStore store = new ImageStore(dir);
        stored(store, recipe("redis", "redis-server"));
        assertThatThrownBy(() -> store.require("minetest"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no image 'minetest'")
                .hasMessageContaining("redis");
        assertThatThrownBy(() -> store.find("../etc")).isInstanceOf(InvalidInputException.class);
    }
}
