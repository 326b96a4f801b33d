package io.livezone.gateway;
