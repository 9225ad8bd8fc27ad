using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;
using Peft.Runtime.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>A real temporary directory tree for file-system tests, removed afterwards. Its root is a real path
/// (the temp folder itself may be reached through a link), so expected paths compare equal to resolved ones.</summary>
internal sealed class TempTree : IDisposable
{
    public static readonly byte[] ConfigBytes = """{"peft_type": "LORA", "r": 8}"""u8.ToArray();
    public static readonly byte[] WeightBytes = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];

    public TempTree()
    {
        string created = Directory.CreateTempSubdirectory("peft-store-tests-").FullName;
        Root = Posix.RealPath(created, out _) ?? throw new InvalidOperationException($"cannot resolve {created}");
    }

    public string Root { get; }

    /// <summary>Creates (if needed) and returns the directory at <paramref name="relative"/> under the tree.</summary>
    public string Dir(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName.TrimEnd('/');

    /// <summary>A directory holding both adapter files.</summary>
    public string Adapter(string relative)
    {
        string dir = Dir(relative);
        File.WriteAllBytes(Path.Combine(dir, AdapterFiles.ConfigFile), ConfigBytes);
        File.WriteAllBytes(Path.Combine(dir, AdapterFiles.WeightsFile), WeightBytes);
        return dir;
    }

    public string At(string relative) => Path.Combine(Root, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock that always says the same time, for names built from it.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
