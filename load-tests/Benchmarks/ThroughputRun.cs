using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// One closed-loop run: output tokens over the run's makespan (first send to last completion, prefill included),
/// and over the decode phase alone (tokens after each request's first, from the earliest first token to the last
/// token).
/// </summary>
internal sealed record ThroughputRun(string Scenario, string Kernel, int Requests, int Failed, int OutputTokens, double Seconds,
    double TokensPerSecond, double DecodeTokensPerSecond, double TtftP50, double TpotP50)
{
    /// <summary>Which interleaved repetition this run belongs to (runs of one repetition ran back to back).</summary>
    public int Repetition { get; init; }

    /// <summary>The first failure's status and message, when a request failed (the run is then left out of medians).</summary>
    public string? Error { get; init; }

    public static ThroughputRun Of(string scenario, string kernel, IReadOnlyList<RequestRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var ok = records.Where(r => r.IsOk).ToArray();
        double seconds = records.Max(r => r.Done) - records.Min(r => r.Sent);
        int tokens = ok.Sum(r => r.OutputTokens);
        double decodeSeconds = ok.Length == 0 ? double.NaN : ok.Max(r => r.LastToken ?? r.Done) - ok.Min(r => r.FirstToken ?? r.Done);
        return new ThroughputRun(scenario, kernel, records.Count, records.Count - ok.Length, tokens, seconds, tokens / seconds,
            ok.Sum(r => Math.Max(0, r.OutputTokens - 1)) / decodeSeconds,
            new Percentiles(ok.Select(r => r.Ttft).OfType<double>()).At(50),
            new Percentiles(ok.Select(r => r.Tpot).OfType<double>()).At(50))
        {
            Error = records.FirstOrDefault(r => !r.IsOk) is { } failed ? $"{failed.Status}: {failed.Error}" : null,
        };
    }
}
