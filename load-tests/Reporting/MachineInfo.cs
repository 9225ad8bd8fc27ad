using System.Runtime.InteropServices;

namespace Peft.LoadTests.Reporting;

/// <summary>Where a benchmark ran, recorded next to its numbers.</summary>
/// <remarks><see cref="LoadAverage"/> is the 1-minute load average when the report was made: on a shared machine it
/// says how much else was running.</remarks>
internal sealed record MachineInfo(string Os, string Runtime, int Cores, int TorchThreads, double MemoryGib, string Cpu, string Device, double LoadAverage,
    DateTimeOffset Date, string Command)
{
    public static MachineInfo Current(string device, IEnumerable<string> args) => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Environment.ProcessorCount,
        TorchSharp.torch.get_num_threads(),
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
        CpuModel(),
        device,
        LoadAverageNow(),
        DateTimeOffset.UtcNow,
        "dotnet run -c Release --project load-tests -- " + string.Join(' ', args));

    /// <summary>The 1-minute load average (NaN where /proc/loadavg is not readable).</summary>
    public static double LoadAverageNow()
    {
        try
        {
            string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    public string Markdown() =>
        $"Machine: {Cores} cores ({Cpu}), {MemoryGib} GiB, {Device}, libtorch threads {TorchThreads}; {Runtime}, {Os}; {Date:yyyy-MM-dd HH:mm} UTC; " +
        $"load average {LoadAverage:0.0} at the end of the run (the machine is shared).";
}
