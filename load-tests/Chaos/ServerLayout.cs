namespace Peft.LoadTests.Chaos;

/// <summary>The directories one server instance runs on; a restart reuses them, so what it saved is what it finds.</summary>
internal sealed record ServerLayout(string Model, string Store, string Jobs, string DataRoot, string AdapterRoot)
{
    public static ServerLayout Under(ChaosEnvironment environment, string name, string? model = null)
    {
        string root = environment.Fresh(name);
        string data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        return new ServerLayout(model ?? environment.Model(), Path.Combine(root, "store"), Path.Combine(root, "jobs"), data, environment.HfRoot);
    }

    /// <summary>Configuration arguments (ports are added per start).</summary>
    public IEnumerable<string> Arguments() =>
    [
        $"--Model:Path={Model}",
        "--Model:Threads=1",
        $"--Adapters:Roots:0={AdapterRoot}",
        $"--Adapters:StoreDirectory={Store}",
        $"--Training:JobsDirectory={Jobs}",
        $"--Training:DataRoot={DataRoot}",
        $"--Server:AdminApiKey={ChaosEnvironment.AdminKey}",
        "--Server:Metrics=Off",
        "--Server:DrainTimeout=00:00:05",
        "--Engine:KvCacheBytes=16777216",
        "--Engine:LoraSlots=4",
        "--Engine:MaxLoraRank=8",
        "--Logging:LogLevel:Default=Warning",
    ];
}
