package io.livezone.link;
