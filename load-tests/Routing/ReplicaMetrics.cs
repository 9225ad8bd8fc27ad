namespace Peft.LoadTests.Routing;

/// <summary>What a router reads from one replica's <c>/metrics</c>: <c>vllm:num_requests_waiting</c>,
/// <c>vllm:num_requests_running</c>, <c>vllm:kv_cache_usage_perc</c> and <c>vllm:lora_requests_info</c>'s
/// running and waiting adapters and max_lora, as the server exports them (src/Server/Telemetry/RouterMetrics.cs).</summary>
internal sealed record ReplicaMetrics(int Waiting, int Running, double KvUsage, IReadOnlySet<int> Resident, IReadOnlySet<int> WaitingAdapters, int MaxLora);
