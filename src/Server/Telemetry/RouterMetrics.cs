using System.Globalization;
using System.Text;
using Peft.Runtime.Engine;

namespace Peft.Server.Telemetry;

/// <summary>
/// The model-server metrics that adapter-aware routers scrape, under the names vLLM exports, so the Gateway API
/// Inference Extension's endpoint picker (and llm-d) read this server with their default settings. In Prometheus
/// text format, one series each:
/// <list type="bullet">
/// <item><c>vllm:num_requests_waiting</c>: requests queued for admission (ours: <c>peft_queue_depth</c>).</item>
/// <item><c>vllm:num_requests_running</c>: sequences in the running batch (ours: <c>peft_running</c>).</item>
/// <item><c>vllm:kv_cache_usage_perc</c> and the older <c>vllm:gpu_cache_usage_perc</c>: the fraction (0 to 1) of
/// KV cache blocks in use (ours: <c>peft_kv_usage</c>).</item>
/// <item><c>vllm:lora_requests_info</c>: value = unix time of the engine's snapshot (the picker takes the series with
/// the largest value); labels <c>running_lora_adapters</c> (comma-separated ids of adapters on the device, ready
/// without a load), <c>waiting_lora_adapters</c> (ids that waiting requests need and the device lacks) and
/// <c>max_lora</c> (LoRA slots).</item>
/// <item><c>vllm:cache_config_info</c>: value 1; labels <c>block_size</c> (tokens per KV block) and
/// <c>num_gpu_blocks</c> (blocks in the cache), which prefix-aware scorers use.</item>
/// </list>
/// Written by hand rather than through OpenTelemetry: an instrument would keep every past adapter set as its own
/// series, growing without bound as adapters come and go, where routers want exactly the current one.
/// </summary>
internal static class RouterMetrics
{
    public static string Render(EngineStats stats, AdapterActivity activity, int blockSize, string modelName)
    {
        var text = new StringBuilder();
        string model = $"model_name=\"{Escape(modelName)}\"";
        Gauge(text, "vllm:num_requests_waiting", "Requests waiting for admission.", model, stats.Waiting);
        Gauge(text, "vllm:num_requests_running", "Requests in the running batch.", model, stats.Running);
        double kv = stats.KvBlocksTotal == 0 ? 0 : (double)stats.KvBlocksUsed / stats.KvBlocksTotal;
        Gauge(text, "vllm:kv_cache_usage_perc", "Fraction of KV cache blocks in use (1 = full).", model, kv);
        Gauge(text, "vllm:gpu_cache_usage_perc", "Fraction of KV cache blocks in use (1 = full); the older name.", model, kv);

        Gauge(text, "vllm:cache_config_info", "KV cache layout: block_size tokens per block, num_gpu_blocks blocks.",
            $"block_size=\"{blockSize}\",num_gpu_blocks=\"{stats.KvBlocksTotal}\"", 1);
        string lora = $"max_lora=\"{activity.LoraSlots}\",running_lora_adapters=\"{string.Join(',', activity.Resident)}\","
            + $"waiting_lora_adapters=\"{string.Join(',', activity.Waiting)}\"";
        Gauge(text, "vllm:lora_requests_info", "Adapters on the device (running) and needed by waiting requests; the value is the snapshot's unix time.",
            lora, activity.At.ToUnixTimeMilliseconds() / 1000.0);
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, string labels, double value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Prometheus label-value escaping (backslash, quote, newline).</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
