using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Peft.Client;

namespace Peft.Testing;

/// <summary>
/// The server as an operating-system process of its own: the entry point built beside the tests
/// (<c>Peft.Server.dll</c>) run by the dotnet host, on free loopback ports, with the defaults of
/// <see cref="LoopbackServer"/> and the given store. Started and awaited until it logs that it serves (the line
/// names the bound addresses). Disposing kills it, as a crash or an OOM kill would; what it printed is kept for
/// failure messages.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServerProcess(Process process, StringBuilder output, Uri address, Uri admin)
    {
        _process = process;
        _output = output;
        Address = address;
        AdminAddress = admin;
    }

    public Uri Address { get; }
    public Uri AdminAddress { get; }

    /// <summary>What the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <param name="store">The adapter store (shared between processes in a test).</param>
    /// <param name="jobs">This process's training jobs directory.</param>
    /// <param name="args">More <c>--Section:Key=value</c> settings.</param>
    public static async Task<ServerProcess> StartAsync(string store, string jobs, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] defaults =
        [
            Path.Combine(AppContext.BaseDirectory, "Peft.Server.dll"),
            $"--Model:Path={Fixtures.LlamaWithTokenizer}",
            "--Model:Device=cpu",
            $"--Adapters:Roots:0={Fixtures.HfRoot}",
            $"--Adapters:StoreDirectory={store}",
            $"--Training:JobsDirectory={jobs}",
            "--Server:ServingPort=0",
            "--Server:AdminPort=0",
            "--Server:MetricsPort=0",
            $"--Server:AdminApiKey={LoopbackServer.AdminKey}",
            "--Engine:KvCacheBytes=8388608",
            "--Engine:LoraSlots=4",
            "--Engine:MaxLoraRank=8",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Peft.Server.Hosting=Information",
            "--Logging:Console:FormatterName=simple",
            "--Logging:Console:FormatterOptions:SingleLine=true",
        ];
        foreach (string arg in (string[])[.. defaults, .. args]) info.ArgumentList.Add(arg);

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<(Uri, Uri)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (ServingLine().Match(e.Data) is { Success: true } m)
                ready.TrySetResult((new Uri(m.Groups[1].Value), new Uri(m.Groups[2].Value)));
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the server process exited before serving"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (address, admin) = await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
            return new ServerProcess(process, output, address, admin);
        }
        catch (Exception e)
        {
            Kill(process);
            string printed;
            lock (output) printed = output.ToString();
            throw new InvalidOperationException($"server process did not start ({e.Message}); it printed:\n{printed}", e);
        }
    }

    /// <summary>A client for both endpoints with the admin key.</summary>
    public PeftClient CreateClient() => new(new PeftClientOptions
    {
        Address = Address,
        AdminAddress = AdminAddress,
        AdminApiKey = LoopbackServer.AdminKey,
        MaxAttempts = 1,
        DefaultDeadline = TimeSpan.FromSeconds(120),
    });

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The dotnet host running this test (dotnet test sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [GeneratedRegex(@"Serving: generation on (\S+), admin on (\S+), metrics on ")]
    private static partial Regex ServingLine();
}
