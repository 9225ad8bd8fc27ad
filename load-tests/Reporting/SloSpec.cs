namespace Peft.LoadTests.Reporting;

/// <summary>
/// Latency objectives in seconds. A request attains the SLO when it finished OK and meets every objective;
/// failed requests count as misses. Attainment is over all requests sent.
/// </summary>
internal sealed record SloSpec(double Ttft, double Tpot, double EndToEnd)
{
    public bool MetBy(RequestRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.IsOk && MeetsTtft(r) && MeetsTpot(r) && r.EndToEnd <= EndToEnd;
    }

    public bool MeetsTtft(RequestRecord r) => r.IsOk && r.Ttft is { } t && t <= Ttft;

    /// <summary>A request of one token has no inter-token time and meets the TPOT objective.</summary>
    public bool MeetsTpot(RequestRecord r) => r.IsOk && (r.Tpot is not { } t || t <= Tpot);

    public bool MeetsEndToEnd(RequestRecord r) => r.IsOk && r.EndToEnd <= EndToEnd;
}
