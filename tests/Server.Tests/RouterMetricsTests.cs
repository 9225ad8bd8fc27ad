using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Peft.Server.Tests.Support;
using Peft.Testing;

namespace Peft.Server.Tests;

/// <summary>
/// The vLLM-named gauges on /metrics, read as the inference extension's endpoint picker reads them: the family by
/// name, the running adapters as a comma-separated label, max_lora as an integer label.
/// </summary>
public sealed partial class RouterMetricsTests
{
    [Fact]
    public async Task The_scrape_names_the_adapters_on_the_device_and_the_slot_limit_under_vllm_names()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var client = server.CreateClient();
        await client.LoadAdapterAsync("lora_qv", Path.Combine("llama", "adapters", "lora_qv"));
        await client.LoadAdapterAsync("prompt", Path.Combine("llama", "adapters", "prompt"));
        await client.GenerateAsync(Requests.Ids(maxNewTokens: 2, adapter: "lora_qv"));
        await client.GenerateAsync(Requests.Ids(maxNewTokens: 2, adapter: "prompt"));
        using var http = new HttpClient();

        string text = await http.GetStringAsync(new Uri(server.MetricsAddress!, "/metrics"));

        var lora = Series(text, "vllm:lora_requests_info");
        Assert.Equal("lora_qv,prompt", lora.Labels["running_lora_adapters"]);
        Assert.Equal("", lora.Labels["waiting_lora_adapters"]);
        Assert.Equal("4", lora.Labels["max_lora"]);
        Assert.InRange(lora.Value, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal(0, Series(text, "vllm:num_requests_waiting").Value);
        Assert.Equal(0, Series(text, "vllm:num_requests_running").Value);
        Assert.Equal(0, Series(text, "vllm:kv_cache_usage_perc").Value);
        Assert.Equal("16", Series(text, "vllm:cache_config_info").Labels["block_size"]);
        Assert.Contains("# TYPE vllm:lora_requests_info gauge", text, StringComparison.Ordinal);
        Assert.Contains("peft_requests", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_openmetrics_scrape_still_ends_with_its_eof_line()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.MetricsAddress!, "/metrics"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text; version=1.0.0"));

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();

        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(text, "# EOF"));
        Assert.Contains("vllm:num_requests_waiting{", text, StringComparison.Ordinal);
        Assert.Equal(text.Length, response.Content.Headers.ContentLength);
    }

    private static (Dictionary<string, string> Labels, double Value) Series(string text, string family)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(family + "{", StringComparison.Ordinal));
        var match = SeriesLine().Match(line);
        Assert.True(match.Success, line);
        var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        return (labels, double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("""^[^{]+\{(?<labels>.*)\} (?<value>\S+)$""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""(?<name>[a-z_]+)="(?<value>[^"]*)"(,|$)""")]
    private static partial Regex LabelPair();
}
