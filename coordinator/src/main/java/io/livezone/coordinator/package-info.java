package io.livezone.coordinator;
