using System.Reflection;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// Where the chaos suite finds what it runs: the server and CLI built beside it (same configuration), the fixture
/// model and adapters of tests/fixtures/hf, and a work directory of its own for stores, jobs and logs.
/// </summary>
internal sealed class ChaosEnvironment
{
    public const string AdminKey = "chaos-admin-key";

    private ChaosEnvironment(string root, string work)
    {
        RepositoryRoot = root;
        Work = work;
        string configuration = typeof(ChaosEnvironment).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        ServerDll = Path.Combine(root, "src", "Server", "bin", configuration, "net10.0", "Peft.Server.dll");
        CliDll = Path.Combine(root, "src", "Clients", "Peft.Cli", "bin", configuration, "net10.0", "peft.dll");
    }

    public string RepositoryRoot { get; }

    /// <summary>The suite's scratch directory (removed at the end unless --keep).</summary>
    public string Work { get; }

    public string ServerDll { get; }

    public string CliDll { get; }

    /// <summary>The adapter root the servers are given: tests/fixtures/hf.</summary>
    public string HfRoot => Path.Combine(RepositoryRoot, "tests", "fixtures", "hf");

    /// <summary>An adapter of the tiny Llama, relative to <see cref="HfRoot"/> (what LoadAdapter takes).</summary>
    public static string Adapter(string name) => $"llama/adapters/{name}";

    public string AdapterDirectory(string name) => Path.Combine(HfRoot, "llama", "adapters", name);

    /// <summary>The fixture adapters of the tiny Llama, every PEFT method.</summary>
    public static IReadOnlyList<string> AdapterNames { get; } = ["lora_qv", "lora_all", "lora_pattern", "prefix", "prefix_proj", "prompt", "ptuning"];

    public static ChaosEnvironment Create(string? work)
    {
        string root = FindRoot();
        string dir = work ?? Path.Combine(Path.GetTempPath(), $"peft-chaos-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var environment = new ChaosEnvironment(root, Path.GetFullPath(dir));
        foreach (string file in (string[])[environment.ServerDll, environment.CliDll])
            if (!File.Exists(file)) throw new FileNotFoundException($"{file} is missing: build the solution in the same configuration first");
        return environment;
    }

    /// <summary>The tiny Llama with the GPT-2 byte-level test tokenizer, so text prompts and training work.</summary>
    public string Model()
    {
        string model = Path.Combine(Work, "model");
        if (Directory.Exists(model)) return model;
        Directory.CreateDirectory(model);
        foreach (string file in Directory.GetFiles(Path.Combine(HfRoot, "llama", "base"))) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        string tokenizer = Path.Combine(RepositoryRoot, "tests", "fixtures", "tokenizers", "gpt2-bytelevel");
        foreach (string name in (string[])["tokenizer.json", "tokenizer_config.json"]) File.Copy(Path.Combine(tokenizer, name), Path.Combine(model, name));
        return model;
    }

    /// <summary>A fresh directory under the work directory.</summary>
    public string Fresh(string name)
    {
        string path = Path.Combine(Work, name);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        foreach (string start in (string[])[Environment.CurrentDirectory, AppContext.BaseDirectory])
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Peft.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Peft.sln above the working directory: run from the repository");
    }
}
