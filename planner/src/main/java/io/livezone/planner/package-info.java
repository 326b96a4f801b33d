package io.livezone.planner;
