namespace Peft.Tools.Tests;

/// <summary>The checkout this test assembly was built from, found by walking up to Peft.sln.</summary>
internal static class RepositoryRoot
{
    public static DirectoryInfo Directory { get; } = Find();

    private static DirectoryInfo Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Peft.sln"))) return dir;
        }
        throw new InvalidOperationException($"No Peft.sln above {AppContext.BaseDirectory}.");
    }
}
