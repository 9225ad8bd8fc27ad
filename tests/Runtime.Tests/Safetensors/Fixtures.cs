namespace Peft.Runtime.Tests.Safetensors;

/// <summary>Files under the repository's tests/fixtures (golden outputs of the reference Python implementation).</summary>
internal static class Fixtures
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string fixtures = System.IO.Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(fixtures))
                return System.IO.Path.Combine([fixtures, .. parts]);
        }
        throw new DirectoryNotFoundException($"no tests/fixtures above {AppContext.BaseDirectory}");
    }
}
