using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// What bringing a cold adapter into a device slot costs, in the registry's own steps: hashing the files and
/// parsing/validating them into host tensors (disk → host; the files are in the page cache after being written),
/// then copying into a slot of a pool (host → slot, what the engine thread does between steps).
/// </summary>
internal static class AdapterLoadTiming
{
    public static AdapterLoadTimes Measure(CausalLM model, IReadOnlyList<(string Id, string Directory)> adapters, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var baseModel = BaseModel.Of(model);
        using var pool = new LoraSlotPool(model.LinearSites, 1, 16, model.Dtype, model.Device);
        var hash = new List<double>();
        var parse = new List<double>();
        var copy = new List<double>();
        foreach (var (id, directory) in adapters)
        {
            hash.Add(Timing.Seconds(() => AdapterFiles.Open(id, directory).ContentHash()));
            HostAdapter? host = null;
            parse.Add(Timing.Seconds(() => host = AdapterReader.Read(id, directory, baseModel)));
            using (host)
                copy.Add(Timing.Seconds(() => pool.Load(0, (LoraAdapter)host!)));
        }
        var times = new AdapterLoadTimes(adapters.Count, Timing.Median(hash) * 1e3, Timing.Median(parse) * 1e3, Timing.Median(copy) * 1e3);
        log.WriteLine($"  adapter load: hash {times.HashMs:0.0} ms + parse {times.ParseMs:0.0} ms (disk → host), copy into slot {times.HostToSlotMs:0.0} ms (host → slot)");
        return times;
    }
}

/// <summary>Medians over <see cref="Adapters"/> adapters, milliseconds.</summary>
internal sealed record AdapterLoadTimes(int Adapters, double HashMs, double ParseMs, double HostToSlotMs)
{
    public double DiskToHostMs => HashMs + ParseMs;

    public double DiskToSlotMs => HashMs + ParseMs + HostToSlotMs;
}
