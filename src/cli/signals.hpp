// cli/signals.hpp — waiting for SIGINT/SIGTERM in long-running commands
// (`famulor sandbox`, `serve`).
//
// block_stop_signals() must run on the main thread before any thread starts, so
// every thread inherits the mask and the signal is taken only by
// wait_for_stop_signal() (sigwait: no async handler, nothing unsafe in it).
#pragma once

namespace famulor::cli {

void block_stop_signals();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int wait_for_stop_signal();

}  // namespace famulor::cli
