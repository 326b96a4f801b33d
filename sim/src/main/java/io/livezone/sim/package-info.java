package io.livezone.sim;
