namespace Peft.Server.Options;

/// <summary>
/// Resolves configured paths (model, adapter roots and store, certificate): relative ones against the working
/// directory the server was started in, which <c>dotnet run --project src/Server</c> sets to the repository root.
/// (The host's content root is the application's own folder, where appsettings.json is.)
/// </summary>
public sealed class ContentPaths
{
    public ContentPaths() : this(Environment.CurrentDirectory)
    {
    }

    public ContentPaths(string root) => Root = root;

    public string Root { get; }

    public string Resolve(string path) => Path.GetFullPath(path, Root);
}
