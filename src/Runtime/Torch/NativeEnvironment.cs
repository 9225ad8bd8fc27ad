using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Peft.Runtime.Torch;

/// <summary>
/// Settings libtorch's OpenMP runtime reads once, when it is loaded, so they must be in the process environment
/// before the first tensor exists. By default libgomp's idle workers spin; when other processes (or other test
/// assemblies) compete for the cores, a spinning worker holds a core its master needs, and measured training steps
/// ran 10x slower. <c>OMP_WAIT_POLICY=PASSIVE</c> makes idle workers sleep instead. A value already set in the
/// environment wins: a dedicated host can export <c>OMP_WAIT_POLICY=ACTIVE</c> (docs/build.md).
/// </summary>
internal static partial class NativeEnvironment
{
#pragma warning disable CA2255 // Must run before TorchSharp loads libtorch, whichever type of this assembly is used first.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Configure()
    {
        if (!OperatingSystem.IsLinux()) return;
        // .NET's Environment.SetEnvironmentVariable does not reach the native environment that libgomp reads.
        _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
