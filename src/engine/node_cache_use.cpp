// The node cache as the scheduler uses it: answering an attempt from it,
// refreshing stale entries in the background, remembering live successes.
#include <asio/post.hpp>

#include "common/io_pool_asio.hpp"
#include "engine/engine_impl.hpp"
#include "engine/scheduler.hpp"

namespace famulor::detail {
namespace {

// Stale-while-revalidate: runs node v again with `params` outside the run's DAG
// and puts a success into the cache. The engine counts it like a run, so that it
// is alive when the node completes.
void revalidate(const std::shared_ptr<RunShared>& run, int v, Value params, std::string key) {
  const CompiledNode& cn = run->wf->nodes[static_cast<std::size_t>(v)];
  EngineImpl* engine = run->engine;
  auto c = std::make_shared<CallState>();
  c->run = run;
  c->node = v;
  c->params = std::move(params);
  c->phase = CallState::Phase::async;
  c->on_result = [engine, key = std::move(key), policy = *cn.cache](NodeResult& r) {
    if (r.status.ok() && r.port.empty())
      engine->node_cache.put(key, std::move(r.output), policy);
    else
      engine->node_cache.revalidate_failed(key);
    engine->release_run();
  };
  engine->retain_run();
  asio::post(io_context(engine->pool), [c, impl = cn.impl.get()] {
    try {
      impl->invoke(NodeCall(c));
    } catch (...) {
      complete_call(c, NodeResult{internal_error("node threw during cache revalidation")});
    }
  });
}

}  // namespace

bool answer_from_cache(const std::shared_ptr<RunShared>& run, int v, const Value& params, NodeResult& r) {
  const CompiledNode& cn = run->wf->nodes[static_cast<std::size_t>(v)];
  std::string key = NodeCache::key(cn.type, params, cn.spec->credential);
  NodeCache::Lookup hit = run->engine->node_cache.get(key);
  // Built-in nodes compute locally: a stale entry of theirs is simply recomputed.
  if (hit.hit == NodeCache::Hit::miss || (hit.hit == NodeCache::Hit::stale && cn.builtin)) return false;
  if (hit.revalidate) revalidate(run, v, params, std::move(key));
  r.output = std::move(hit.value);
  r.from_cache = true;
  return true;
}

void remember_in_cache(RunShared& run, const CompiledNode& cn, const NodeSlot& s) {
  if (!s.port.empty()) return;
  run.engine->node_cache.put(NodeCache::key(cn.type, s.input, cn.spec->credential), s.output, *cn.cache);
}

}  // namespace famulor::detail
