using System.Reflection;
using Peft.Build;

namespace Peft.Runtime.Tests.Build;

/// <summary>The build step of build/TorchSharpNative.targets, checked on the files it produced for this test run.</summary>
public sealed class NativePatchTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [SkippableFact]
    public void The_output_copy_has_the_glibcxx_need_weak_where_the_host_lacks_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the patch is of a Linux ELF library");
        var need = Assert.Single(ElfVersions.ReadNeeds(File.ReadAllBytes(OutputLibrary())), n => n.Version == Version);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal(!HostLibStdCxx.Defines(Version), need.IsWeak);
    }

    [SkippableFact]
    public void The_nuget_cache_copy_is_untouched()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the patch is of a Linux ELF library");
        var need = Assert.Single(ElfVersions.ReadNeeds(File.ReadAllBytes(CacheLibrary())), n => n.Version == Version);
        Assert.False(need.IsWeak);
    }

    [SkippableFact]
    public void Marking_weak_is_idempotent_and_touches_only_that_flag()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the patch is of a Linux ELF library");
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(CacheLibrary(), copy);
        try
        {
            byte[] original = File.ReadAllBytes(copy);
            Assert.True(ElfVersions.MarkNeedWeak(copy, Version));
            Assert.False(ElfVersions.MarkNeedWeak(copy, Version));

            byte[] patched = File.ReadAllBytes(copy);
            var need = ElfVersions.ReadNeeds(patched).Single(n => n.Version == Version);
            var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
            Assert.Equal(new[] { (int)need.FlagsOffset }, changed);
            Assert.True(need.IsWeak);
            Assert.All(ElfVersions.ReadNeeds(patched).Where(n => n.Version != Version), n => Assert.False(n.IsWeak));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void Files_that_are_not_elf_are_refused()
        => Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(new byte[128]));

    private static string OutputLibrary()
    {
        string dir = AppContext.BaseDirectory;
        string[] candidates =
        {
            Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(dir, "libLibTorchSharp.so"),
        };
        return candidates.First(File.Exists);
    }

    private static string CacheLibrary()
    {
        string root = typeof(NativePatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }
}
