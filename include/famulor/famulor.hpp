// famulor/famulor.hpp — the whole public API in one include.
#pragma once

#include "famulor/call.hpp"
#include "famulor/engine.hpp"
#include "famulor/node.hpp"
#include "famulor/run.hpp"
#include "famulor/status.hpp"
#include "famulor/trigger.hpp"
#include "famulor/value.hpp"
#include "famulor/version.hpp"
#include "famulor/workflow.hpp"
