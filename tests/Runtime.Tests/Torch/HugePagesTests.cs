using System.Globalization;
using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Torch;

/// <summary>
/// A large CPU tensor advised onto huge pages keeps its values and, where the kernel offers transparent huge pages
/// to memory that asks (THP "madvise" or "always", MADV_COLLAPSE since Linux 6.1), lies on them at once; a small one
/// and a non-contiguous view are left alone without an error.
/// </summary>
public sealed class HugePagesTests
{
    [Fact]
    public unsafe void A_large_tensor_keeps_its_values_and_moves_onto_huge_pages_where_the_kernel_offers_them()
    {
        using var scope = NewDisposeScope();
        var tensor = arange(0, 4L << 20, dtype: ScalarType.Float32);   // 16 MiB: at least seven whole 2 MiB pages
        var before = tensor.clone();
        HugePages.Advise(tensor);
        Assert.True(tensor.eq(before).all().item<bool>());

        if (!ThpOffered() || Environment.GetEnvironmentVariable("PEFT_HUGE_PAGES") == "0") return;
        // The advice splits the mapping at the first whole huge page: look there, not at the tensor's first byte.
        long firstWholePage = ((long)TensorMemory.Pointer(tensor) + (2L << 20) - 1) & ~((2L << 20) - 1);
        long hugeKb = AnonHugeKbOfMappingAt(firstWholePage);
        Assert.True(hugeKb >= 2048, $"the mapping holding the tensor has {hugeKb} kB on huge pages");
    }

    [Fact]
    public void Small_tensors_and_views_are_left_without_an_error()
    {
        using var scope = NewDisposeScope();
        HugePages.Advise(ones(16));
        HugePages.Advise(ones(2048, 2048).t());   // not contiguous
        HugePages.Advise(empty(0));
    }

    private static bool ThpOffered()
    {
        const string setting = "/sys/kernel/mm/transparent_hugepage/enabled";
        if (!OperatingSystem.IsLinux() || !File.Exists(setting)) return false;
        string text = File.ReadAllText(setting);
        bool collapse = Version.TryParse(Environment.OSVersion.Version.ToString(), out var kernel) && kernel >= new Version(6, 1);
        return collapse && (text.Contains("[madvise]", StringComparison.Ordinal) || text.Contains("[always]", StringComparison.Ordinal));
    }

    /// <summary>AnonHugePages of the /proc/self/smaps mapping that contains <paramref name="address"/>.</summary>
    private static long AnonHugeKbOfMappingAt(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long end))
            {
                inside = address >= start && address < end;
                continue;
            }
            if (inside && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
