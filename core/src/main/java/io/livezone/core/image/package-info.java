/**
 * Zone images: what a zone boots and the contract of the service inside it (its ports and how to
 * tell it is ready). See {@code docs/images.md}.
 */
package io.livezone.core.image;
