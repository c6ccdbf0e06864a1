#include "common/metrics.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>

namespace famulor::metrics {
namespace detail {

// One labelled series (named in metrics.hpp so that hot paths can cache it).
struct Series {
  explicit Series(std::string k, std::size_t buckets) : key(std::move(k)), bucket_counts(buckets) {}
  const std::string key;
  std::atomic<std::uint64_t> count{0};   // counter value, or histogram count
  std::atomic<std::uint64_t> sum_ns{0};  // histograms
  std::vector<std::atomic<std::uint64_t>> bucket_counts;  // non-cumulative
};

}  // namespace detail

namespace {

using detail::Series;

constexpr char kSep = '\x1f';  // between label values inside a series key

// Upper bounds in seconds. Node and run durations span fast in-memory nodes to
// slow LLM calls; injection answers are sub-millisecond to a deadline of ~1 s.
constexpr std::array<double, 16> kDurationBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                    0.25,   0.5,   1,      2.5,   5,    10,   30,    60};
constexpr std::array<double, 14> kInjectionBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,    0.025,  0.05,    0.1,    0.25,  0.5,    1};

// One metric name with its label names; series found lock-free by key.
class Family {
 public:
  Family(const char* name, const char* help, std::vector<const char*> labels, const double* bounds = nullptr,
         std::size_t nbounds = 0)
      : name_(name), help_(help), labels_(std::move(labels)), bounds_(bounds), nbounds_(nbounds) {}
  ~Family() {
    for (auto& s : slots_) delete s.load();
    delete overflow_.load();
  }

  Series& at(std::string_view key) {
    std::size_t h = std::hash<std::string_view>{}(key);
    for (std::size_t probe = 0; probe < kSlots; ++probe) {
      auto& slot = slots_[(h + probe) % kSlots];
      Series* s = slot.load(std::memory_order_acquire);
      if (s == nullptr) {
        if (size_.load(std::memory_order_relaxed) >= kMaxSeries) break;
        auto fresh = std::make_unique<Series>(std::string(key), nbounds_);
        if (slot.compare_exchange_strong(s, fresh.get(), std::memory_order_acq_rel)) {
          size_.fetch_add(1, std::memory_order_relaxed);
          return *fresh.release();
        }
        // Another thread filled the slot first: s now holds its series.
      }
      if (s->key == key) return *s;
    }
    return overflow();
  }

  void inc(std::string_view key) { at(key).count.fetch_add(1, std::memory_order_relaxed); }

  void observe(std::string_view key, std::chrono::nanoseconds d) { observe(at(key), d); }

  void observe(Series& s, std::chrono::nanoseconds d) {
    double secs = std::chrono::duration<double>(d).count();
    std::size_t b = 0;
    while (b < nbounds_ && secs > bounds_[b]) ++b;
    if (b < nbounds_) s.bucket_counts[b].fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(static_cast<std::uint64_t>(d.count() > 0 ? d.count() : 0), std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
  }

  void render(std::string& out) const {
    out += "# HELP ";
    out += name_;
    out += ' ';
    out += help_;
    out += "\n# TYPE ";
    out += name_;
    out += bounds_ ? " histogram\n" : " counter\n";
    for (auto& slot : slots_)
      if (Series* s = slot.load(std::memory_order_acquire)) render_series(*s, out);
    if (Series* o = overflow_.load(std::memory_order_acquire)) render_series(*o, out);
  }

 private:
  static constexpr std::size_t kSlots = kMaxSeries * 2;

  Series& overflow() {
    Series* o = overflow_.load(std::memory_order_acquire);
    if (o) return *o;
    std::string key;
    for (std::size_t i = 0; i < labels_.size(); ++i) key += (i ? std::string(1, kSep) : std::string()) + "_other";
    auto fresh = std::make_unique<Series>(key, nbounds_);
    if (overflow_.compare_exchange_strong(o, fresh.get(), std::memory_order_acq_rel)) return *fresh.release();
    return *o;
  }

  // {a="x",b="y"} from the key, plus an optional extra label (le).
  std::string label_text(const std::string& key, const char* extra_name = nullptr, const std::string& extra = {}) const {
    std::string out;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < labels_.size(); ++i) {
      std::size_t end = key.find(kSep, pos);
      if (end == std::string::npos) end = key.size();
      out += i ? "," : "";
      out += labels_[i];
      out += "=\"";
      for (char c : std::string_view(key).substr(pos, end - pos)) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
      }
      out += '"';
      pos = end + 1;
    }
    if (extra_name) {
      out += out.empty() ? "" : ",";
      out += extra_name;
      out += "=\"" + extra + "\"";
    }
    return out.empty() ? out : "{" + out + "}";
  }

  void render_series(const Series& s, std::string& out) const {
    char num[64];
    if (!bounds_) {
      std::snprintf(num, sizeof num, " %llu\n", static_cast<unsigned long long>(s.count.load(std::memory_order_relaxed)));
      out += name_ + label_text(s.key) + num;
      return;
    }
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < nbounds_; ++b) {
      cumulative += s.bucket_counts[b].load(std::memory_order_relaxed);
      char le[32];
      std::snprintf(le, sizeof le, "%g", bounds_[b]);
      std::snprintf(num, sizeof num, " %llu\n", static_cast<unsigned long long>(cumulative));
      out += name_ + "_bucket" + label_text(s.key, "le", le) + num;
    }
    // +Inf and _count from one read, so that the histogram stays consistent
    // (count >= every bucket) while observations race with the scrape.
    std::uint64_t count = s.count.load(std::memory_order_relaxed);
    if (count < cumulative) count = cumulative;
    std::snprintf(num, sizeof num, " %llu\n", static_cast<unsigned long long>(count));
    out += name_ + "_bucket" + label_text(s.key, "le", "+Inf") + num;
    std::snprintf(num, sizeof num, " %.9g\n", static_cast<double>(s.sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += name_ + "_sum" + label_text(s.key) + num;
    std::snprintf(num, sizeof num, " %llu\n", static_cast<unsigned long long>(count));
    out += name_ + "_count" + label_text(s.key) + num;
  }

  const std::string name_;
  const char* help_;
  const std::vector<const char*> labels_;
  const double* bounds_;
  const std::size_t nbounds_;
  std::array<std::atomic<Series*>, kSlots> slots_{};
  std::atomic<std::size_t> size_{0};
  std::atomic<Series*> overflow_{nullptr};
};

struct Registry {
  Family runs_started{"famulor_runs_started_total", "Runs started, by workflow.", {"workflow"}};
  Family runs_finished{"famulor_runs_finished_total", "Top-level runs that became final, by workflow and status.",
                       {"workflow", "status"}};
  Family run_duration{"famulor_run_duration_seconds", "Top-level run duration, accept to final, by workflow.",
                      {"workflow"}, kDurationBounds.data(), kDurationBounds.size()};
  Family node_duration{"famulor_node_duration_seconds", "Node attempt duration, by node type and outcome.",
                       {"type", "status"}, kDurationBounds.data(), kDurationBounds.size()};
  Family connector_calls{"famulor_connector_calls_total", "Connector requests answered or failed, by app and operation.",
                         {"app", "operation"}};
  Family connector_errors{"famulor_connector_errors_total",
                          "Connector requests that failed (non-2xx or transport), by app and operation.",
                          {"app", "operation"}};
  Family http_requests{"famulor_http_requests_total", "HTTP requests answered, by method, route pattern and status.",
                       {"method", "route", "status"}};
  Family injection_latency{"famulor_injection_latency_seconds",
                           "Variable injection and mid-call tool answers: call to answer.", {},
                           kInjectionBounds.data(), kInjectionBounds.size()};
  Family deadline_misses{"famulor_injection_deadline_misses_total",
                         "Injection and tool answers sent partial because the deadline passed.", {}};
};

Registry& registry() {
  static Registry r;  // never destroyed before the threads that record (function-local, process lifetime)
  return r;
}

std::string key2(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a);
  k.push_back(kSep);
  k.append(b);
  return k;
}

}  // namespace

void run_started(std::string_view workflow) { registry().runs_started.inc(workflow); }

void run_finished(std::string_view workflow, std::string_view status, std::chrono::nanoseconds duration) {
  registry().runs_finished.inc(key2(workflow, status));
  registry().run_duration.observe(workflow, duration);
}

void node_finished(std::string_view node_type, std::string_view status, std::chrono::nanoseconds duration) {
  registry().node_duration.observe(key2(node_type, status), duration);
}

void NodeDurations::observe(bool succeeded, std::chrono::nanoseconds duration) {
  std::atomic<Series*>& cached = succeeded ? succeeded_ : failed_;
  Series* s = cached.load(std::memory_order_acquire);
  Family& f = registry().node_duration;
  if (s == nullptr) {
    s = &f.at(key2(type_, succeeded ? "succeeded" : "failed"));
    cached.store(s, std::memory_order_release);  // the same series whichever thread stores first
  }
  f.observe(*s, duration);
}

namespace {

// The series of `key` in `f`, looked up on the first call only.
Series& cached_series(Family& f, std::atomic<Series*>& cache, std::string_view key) {
  Series* s = cache.load(std::memory_order_acquire);
  if (s == nullptr) {
    s = &f.at(key);
    cache.store(s, std::memory_order_release);  // the same series whichever thread stores first
  }
  return *s;
}

}  // namespace

void WorkflowRuns::started() {
  cached_series(registry().runs_started, started_, workflow_).count.fetch_add(1, std::memory_order_relaxed);
}

void WorkflowRuns::finished(std::string_view status, std::size_t status_index, std::chrono::nanoseconds duration) {
  Registry& r = registry();
  if (status_index < kStatuses) {
    Series* s = finished_[status_index].load(std::memory_order_acquire);
    if (s == nullptr) {
      s = &r.runs_finished.at(key2(workflow_, status));
      finished_[status_index].store(s, std::memory_order_release);
    }
    s->count.fetch_add(1, std::memory_order_relaxed);
  } else {
    r.runs_finished.inc(key2(workflow_, status));
  }
  r.run_duration.observe(cached_series(r.run_duration, duration_, workflow_), duration);
}

void connector_call(std::string_view app, std::string_view operation, bool error) {
  std::string k = key2(app, operation);
  registry().connector_calls.inc(k);
  if (error) registry().connector_errors.inc(k);
}

void http_request(std::string_view method, std::string_view route, int status) {
  char code[8];
  std::snprintf(code, sizeof code, "%d", status);
  std::string k = key2(method, route);
  k.push_back(kSep);
  k.append(code);
  registry().http_requests.inc(k);
}

void observe_injection(std::chrono::nanoseconds latency, bool partial) {
  registry().injection_latency.observe("", latency);
  if (partial) registry().deadline_misses.inc("");
}

std::string render(const std::vector<GaugeSample>& gauges) {
  Registry& r = registry();
  std::string out;
  out.reserve(16 * 1024);
  for (const Family* f : {&r.runs_started, &r.runs_finished, &r.run_duration, &r.node_duration, &r.connector_calls,
                          &r.connector_errors, &r.http_requests, &r.injection_latency, &r.deadline_misses})
    f->render(out);
  for (const auto& g : gauges) {
    char num[64];
    std::snprintf(num, sizeof num, " %.17g\n", g.value);
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n" + g.name + num;
  }
  return out;
}

}  // namespace famulor::metrics
