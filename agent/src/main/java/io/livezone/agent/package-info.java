package io.livezone.agent;
