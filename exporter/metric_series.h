#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/labels.h>

#include <utility>

namespace upkeep {

// One series of a prometheus-cpp Family that may come and go: added on the first Set(),
// removed by Clear(), so a value the sampler could not read is absent, not stale.
template <typename T>
class MetricSeries {
 public:
  MetricSeries() = default;
  MetricSeries(prometheus::Family<T>* family, prometheus::Labels labels)
      : family_(family), labels_(std::move(labels)) {}
  ~MetricSeries() { Clear(); }
  MetricSeries(MetricSeries&& other) noexcept
      : family_(other.family_),
        labels_(std::move(other.labels_)),
        metric_(std::exchange(other.metric_, nullptr)) {}
  MetricSeries& operator=(MetricSeries&& other) noexcept {
    if (this != &other) {
      Clear();
      family_ = other.family_;
      labels_ = std::move(other.labels_);
      metric_ = std::exchange(other.metric_, nullptr);
    }
    return *this;
  }
  MetricSeries(const MetricSeries&) = delete;
  MetricSeries& operator=(const MetricSeries&) = delete;

  void Set(double value);

  template <typename Optional>
  void SetOptional(const Optional& value) {
    if (value) {
      Set(static_cast<double>(*value));
    } else {
      Clear();
    }
  }

  void Clear() {
    if (metric_ != nullptr) {
      family_->Remove(metric_);
      metric_ = nullptr;
    }
  }

 private:
  prometheus::Family<T>* family_ = nullptr;
  prometheus::Labels labels_;
  T* metric_ = nullptr;
};

template <>
inline void MetricSeries<prometheus::Gauge>::Set(double value) {
  if (metric_ == nullptr) metric_ = &family_->Add(labels_);
  metric_->Set(value);
}

// A counter mirrors a cumulative value read from the kernel: it moves by the difference.
// A value that went backwards (a reset) starts the series afresh.
template <>
inline void MetricSeries<prometheus::Counter>::Set(double value) {
  if (metric_ != nullptr && value < metric_->Value()) Clear();
  if (metric_ == nullptr) metric_ = &family_->Add(labels_);
  const double delta = value - metric_->Value();
  if (delta > 0) metric_->Increment(delta);
}

using GaugeSeries = MetricSeries<prometheus::Gauge>;
using CounterSeries = MetricSeries<prometheus::Counter>;

}  // namespace upkeep
