/**
 * Zone images on this machine: building them from Debian packages ({@link
 * io.livezone.image.ImageBuilder}) and keeping them ({@link io.livezone.image.ImageStore}). See
 * {@code docs/images.md}.
 */
package io.livezone.image;
