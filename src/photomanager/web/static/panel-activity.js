// The activity panel: fetches activity?hours=48 and hands it to the chart module.

import { api, API } from "./api.js";
import { renderActivityChart, legend } from "./chart.js";
import { byId, replace } from "./dom.js";

const HOURS = 48;

/** Wire up the activity panel; returns { load }. */
export function initActivity() {
  const chart = byId("activity-chart");
  const summary = byId("activity-summary");
  replace(byId("activity-legend"), [legend()]);

  async function load() {
    const data = await api.get(`${API}/activity?hours=${HOURS}`);
    const buckets = Array.isArray(data) ? data : (data && data.buckets) || [];
    renderActivityChart(chart, summary, buckets, (data && data.hours) || HOURS);
  }

  return { load };
}
