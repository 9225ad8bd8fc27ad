namespace Peft.Runtime.Engine.Scheduling;

/// <summary>
/// Decides when background work (a training micro-batch) may run between serving steps, so that it takes at most
/// its share of the engine's time while requests are running. Time per output token then grows by at most
/// 1 / (1 − share) under training, whatever a unit costs.
/// </summary>
public sealed class BackgroundPacer(double share)
{
    private TimeSpan _servingSinceUnit;
    private TimeSpan _lastUnit;

    /// <summary>Whether serving has had its share since the last unit (to within a tick of rounding).</summary>
    public bool Due => _servingSinceUnit.Ticks * share + 1 >= _lastUnit.Ticks * (1 - share);

    public void Served(TimeSpan step) => _servingSinceUnit += step;

    public void RanUnit(TimeSpan unit)
    {
        _lastUnit = unit;
        _servingSinceUnit = TimeSpan.Zero;
    }
}
