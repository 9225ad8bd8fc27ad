using Peft.Kernels;

namespace Peft.Runtime.Tests.Kernels;

/// <summary>
/// The kernel threads that stay awake between parallel parts: workers join an open part and the caller returns only
/// after every worker that joined is done; a worker's exception reaches the caller and the team goes on; a second
/// caller while a part runs is refused (and <see cref="TileParallel"/> then uses the thread pool). Each test holds
/// the part open with events until the state it asserts is reached, so nothing depends on timing.
/// </summary>
public sealed class WorkerTeamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_worker_joins_the_open_part_and_the_caller_returns_after_it()
    {
        using var team = new WorkerTeam();
        for (int part = 0; part < 3; part++)   // the first part starts the worker; later ones find it awake or asleep
        {
            int caller = Environment.CurrentManagedThreadId;
            using var joined = new ManualResetEventSlim();
            using var callerDone = new ManualResetEventSlim();
            int workerDone = 0;
            bool ran = team.TryRun(2, () =>
            {
                if (Environment.CurrentManagedThreadId == caller)
                {
                    Assert.True(joined.Wait(Patience), "no worker joined the open part");
                    callerDone.Set();
                    return;
                }
                joined.Set();
                // Still in the part when the caller's own share ends: TryRun must wait for this worker to leave.
                Assert.True(callerDone.Wait(Patience));
                Volatile.Write(ref workerDone, 1);
            });
            Assert.True(ran);
            Assert.Equal(1, Volatile.Read(ref workerDone));
        }
    }

    [Fact]
    public void A_workers_exception_reaches_the_caller_and_the_team_goes_on()
    {
        using var team = new WorkerTeam();
        int caller = Environment.CurrentManagedThreadId;
        using var thrown = new ManualResetEventSlim();
        var error = Assert.Throws<AggregateException>(() => team.TryRun(2, () =>
        {
            if (Environment.CurrentManagedThreadId == caller)
            {
                Assert.True(thrown.Wait(Patience));
                return;
            }
            try
            {
                throw new InvalidOperationException("kernel failed");
            }
            finally
            {
                thrown.Set();
            }
        }));
        Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));

        using var joined = new ManualResetEventSlim();
        Assert.True(team.TryRun(2, () =>
        {
            if (Environment.CurrentManagedThreadId == caller) Assert.True(joined.Wait(Patience), "the worker did not come back after the exception");
            else joined.Set();
        }));
    }

    [Fact]
    public async Task A_second_caller_is_refused_while_a_part_runs_and_a_split_inside_a_split_still_covers_every_tile()
    {
        using var team = new WorkerTeam();
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int caller = 0;
        var first = Task.Run(() => team.TryRun(2, () =>
        {
            if (Interlocked.CompareExchange(ref caller, Environment.CurrentManagedThreadId, 0) != 0) return;
            inside.Set();
            Assert.True(release.Wait(Patience));
        }));
        Assert.True(inside.Wait(Patience));
        Assert.False(team.TryRun(2, () => Assert.Fail("a refused part must not run")));
        release.Set();
        Assert.True(await first.WaitAsync(Patience));

        // The shared team splitting tiles whose body splits again: the inner splits find the team taken.
        var runs = new int[64, 64];
        TileParallel.For(64, 2, (a0, a1) =>
        {
            for (long a = a0; a < a1; a++)
                TileParallel.For(64, 2, (b0, b1) =>
                {
                    for (long b = b0; b < b1; b++) Interlocked.Increment(ref runs[a, b]);
                });
        });
        Assert.True(runs.Cast<int>().All(r => r == 1));
    }

    [Fact]
    public void One_thread_runs_on_the_caller_alone()
    {
        using var team = new WorkerTeam();
        int caller = Environment.CurrentManagedThreadId, others = 0;
        Assert.True(team.TryRun(1, () =>
        {
            if (Environment.CurrentManagedThreadId != caller) Interlocked.Increment(ref others);
        }));
        Assert.Equal(0, others);
    }
}
