using System.Runtime.InteropServices;
using Peft.Runtime.Torch;

namespace Peft.Runtime.Tests.Torch;

/// <summary>
/// The engine asks glibc to keep what steps free for the next steps. Whether a freed tensor is then taken again
/// without faulting its pages in depends on what every other thread of a test process does with the same arenas
/// meanwhile (a trim, an allocation that takes the chunk), so the effect is measured on the server, a whole wave at a
/// time (docs/benchmarks.md, "Steps that fault their activations in again"); here, that glibc takes the settings.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void Glibc_takes_the_settings_that_keep_freed_memory()
    {
        if (!OperatingSystem.IsLinux() || !IsGlibc()) return;
        Assert.True(NativeHeap.KeepFreedMemory());
    }

    /// <summary>glibc, whatever its path: the one C library that exports its own version.</summary>
    private static bool IsGlibc() =>
        NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
}
