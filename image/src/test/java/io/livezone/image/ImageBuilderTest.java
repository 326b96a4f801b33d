package io.livezone.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.ZoneImage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The builder's decisions that need no build: the cache, a reused name, and failures' words. */
class ImageBuilderTest {
    private static final Path SCRIPTS = Path.of("../scripts").toAbsolutePath().normalize();

    @TempDir Path dir;

    private ImageBuilder builder(ImageStore store) throws Exception {
        Path guest = Files.createDirectories(dir.resolve("guest"));
        Files.writeString(guest.resolve("kernel-version"), "6.1.0-test\n");
        return new ImageBuilder(store, SCRIPTS, guest);
    }

    @Test
    void theSameRecipeUnderTheSameNameIsFoundBuilt() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        ImageBuilder builder = builder(store);
        ImageRecipe r = ImageStoreTest.recipe("redis", "redis-server");
        ZoneImage built =
                new ZoneImage(
                        "redis", r.digest(builder.builderInputs()), r, "b".repeat(64), 10, 1, 1);
        Path staging = store.staging("redis");
        Files.writeString(staging.resolve(ImageStore.ROOT_DISK), "disk");
        store.commit(staging, built);
        List<String> progress = new ArrayList<>();
        ImageBuilder.Built again = builder.build(r, progress::add);
        assertThat(again.cached()).isTrue();
        assertThat(again.image()).isEqualTo(built);
        assertThat(progress).singleElement().asString().contains("built already");
    }

    @Test
    void aNameInUseForOtherInputsIsRefused() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        ImageBuilder builder = builder(store);
        ImageRecipe first = ImageStoreTest.recipe("redis", "redis-server");
        Path staging = store.staging("redis");
        Files.writeString(staging.resolve(ImageStore.ROOT_DISK), "disk");
        store.commit(
                staging,
                new ZoneImage(
                        "redis",
                        first.digest(builder.builderInputs()),
                        first,
                        "b".repeat(64),
                        10,
                        1,
                        1));
        ImageRecipe other = ImageStoreTest.recipe("redis", "redis-server --port 6379");
        assertThatThrownBy(() -> builder.build(other, s -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("exists with other inputs")
                .hasMessageContaining("delete it first");
        assertThat(store.find("redis").orElseThrow().recipe()).isEqualTo(first);
    }

    @Test
    void failuresAreToldInTheUsersTerms() {
        ImageRecipe r = ImageStoreTest.recipe("x", "redis-server");
        assertThat(
                        ImageBuilder.failure(
                                r, List.of("  E: Unable to locate package no-such-pkg", "E: boom")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown package 'no-such-pkg'");
        assertThat(
                        ImageBuilder.failure(
                                r,
                                List.of(
                                        "dpkg: error processing package broken (--configure):",
                                        " installed broken package post-installation script"
                                                + " subprocess returned error exit status 1")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("package 'broken' does not install");
        assertThat(
                        ImageBuilder.failure(
                                r,
                                List.of(
                                        "build-image: the command 'nope' is not in the image (is"
                                                + " its package in --packages?)")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("the command 'nope' is not in the image");
        assertThat(
                        ImageBuilder.failure(
                                r,
                                List.of("Err:1 http://deb.debian.org Temporary failure resolving")))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("mirror");
        assertThat(ImageBuilder.failure(r, List.of("something else")))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("something else");
    }
}
