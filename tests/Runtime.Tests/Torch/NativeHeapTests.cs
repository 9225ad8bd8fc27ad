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

    private static bool IsGlibc() => File.Exists("/lib/x86_64-linux-gnu/libc.so.6") || File.Exists("/lib/aarch64-linux-gnu/libc.so.6") || File.Exists("/usr/lib64/libc.so.6");
}
