package io.livezone.storage;
