using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// The real server as a child process (<c>dotnet Peft.Server.dll</c>) on loopback ports of its own. Its output is
/// kept (the last 64 KB) for failure reports; <see cref="Kill"/> is SIGKILL, with no chance to clean up.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputLimit = 64 << 10;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int servingPort, int adminPort)
    {
        _process = process;
        Serving = new Uri($"http://127.0.0.1:{servingPort}");
        Admin = new Uri($"http://127.0.0.1:{adminPort}");
        Client = new ChaosClient(Serving, Admin);
    }

    public Uri Serving { get; }
    public Uri Admin { get; }
    public ChaosClient Client { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts the server with <paramref name="arguments"/> plus fresh ports (or the ones given).</summary>
    public static ServerProcess Launch(ChaosEnvironment environment, IEnumerable<string> arguments, int? servingPort = null, int? adminPort = null)
    {
        int serving = servingPort ?? FreePort(), admin = adminPort ?? FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = environment.RepositoryRoot,
        };
        start.ArgumentList.Add(environment.ServerDll);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        start.ArgumentList.Add($"--Server:ServingPort={serving}");
        start.ArgumentList.Add($"--Server:AdminPort={admin}");
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("PEFT_", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(key);
        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process, serving, admin);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Starts the server and waits until health says SERVING.</summary>
    public static async Task<ServerProcess> StartAsync(ChaosEnvironment environment, ServerLayout layout, IEnumerable<string>? extra = null)
    {
        var server = Launch(environment, [.. layout.Arguments(), .. extra ?? []]);
        try
        {
            await server.WaitServingAsync(TimeSpan.FromMinutes(3));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls health until SERVING; throws naming the exit code and output when the process ends first.</summary>
    public async Task WaitServingAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new ChaosException($"the server exited with {_process.ExitCode} before serving:\n{Tail(Output)}");
            if (await Client.HealthAsync() == "Serving") return;
            if (DateTime.UtcNow > until) throw new ChaosException($"the server did not report SERVING within {timeout}:\n{Tail(Output)}");
            await Task.Delay(100);
        }
    }

    /// <summary>kill -9: the process gets no chance to flush or clean up.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Waits for the process to end on its own; null when it is still running at the timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Resident set size from /proc (0 where there is none).</summary>
    public long RssBytes()
    {
        string status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return 0;
        string? line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public static string Tail(string text, int lines = 20) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > OutputLimit) _output.Remove(0, _output.Length - OutputLimit);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }
}

/// <summary>The suite itself could not go on (a server that does not start): reported, and the run fails.</summary>
internal sealed class ChaosException(string message) : Exception(message);
