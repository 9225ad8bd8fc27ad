using Peft.LoadTests.Chaos;

namespace Peft.LoadTests.Tests.Chaos;

/// <summary>What the kill trials expect of a restarted server, from what the client was told before the kill.</summary>
public sealed class AdapterLedgerTests
{
    private static readonly HashSet<string> Complete = ["v1", "v2", "v3"];

    private static IReadOnlyList<LedgerViolation> Reconcile(AdapterLedger ledger, params (string Id, string Version)[] listed) =>
        ledger.Reconcile(listed.ToDictionary(l => l.Id, l => l.Version), Complete.Contains);

    [Fact]
    public void Acknowledged_state_must_be_kept_exactly()
    {
        var ledger = new AdapterLedger();
        ledger.Sent("a", "v1");
        ledger.Acknowledged("a", "v1");
        ledger.Sent("gone", "v2");
        ledger.Acknowledged("gone", "v2");
        ledger.Sent("gone", null);
        ledger.Acknowledged("gone", null);

        Assert.Empty(Reconcile(ledger, ("a", "v1")));
        var lost = Assert.Single(Reconcile(ledger, ("a", "v1"), ("gone", "v2")));
        Assert.Equal((LedgerViolationKind.Lost, "gone"), (lost.Kind, lost.Id));
        Assert.Contains("expected absent, found version v2", lost.Detail);
    }

    [Fact]
    public void A_lost_registration_and_a_rolled_back_replace_are_lost()
    {
        var ledger = new AdapterLedger();
        ledger.Acknowledged("a", "v1");
        ledger.Acknowledged("b", "v1");
        ledger.Acknowledged("b", "v2");
        var violations = Reconcile(ledger, ("b", "v1"));
        Assert.Equal([("a", LedgerViolationKind.Lost), ("b", LedgerViolationKind.Lost)], violations.Select(v => (v.Id, v.Kind)).Order());
    }

    [Fact]
    public void An_unanswered_call_allows_either_state_and_is_resolved_by_the_listing()
    {
        var ledger = new AdapterLedger();
        ledger.Acknowledged("a", "v1");
        ledger.Sent("a", "v2");     // a replace the kill left unanswered
        ledger.Sent("new", "v3");   // a registration the kill left unanswered

        Assert.Empty(Reconcile(ledger, ("a", "v2")));
        Assert.Equal("v2", ledger.Expected("a"));
        Assert.Null(ledger.Expected("new"));
        Assert.Single(Reconcile(ledger, ("a", "v1")));   // resolved: v2 is now what must be kept
    }

    [Fact]
    public void A_refused_call_changes_nothing()
    {
        var ledger = new AdapterLedger();
        ledger.Sent("a", "v1");
        ledger.Refused("a", "v1");
        Assert.Single(Reconcile(ledger, ("a", "v1")));
    }

    [Fact]
    public void Unknown_or_incomplete_adapters_are_partial()
    {
        var ledger = new AdapterLedger();
        ledger.Sent("a", "v1");
        var violations = Reconcile(ledger, ("a", "half-written"), ("stranger", "v1"));
        Assert.Equal([("a", LedgerViolationKind.Partial), ("stranger", LedgerViolationKind.Partial)], violations.Select(v => (v.Id, v.Kind)).Order());
    }

    [Fact]
    public void A_training_adapter_may_appear_with_any_complete_version()
    {
        var ledger = new AdapterLedger();
        ledger.Sent("trained", AdapterLedger.AnyVersion);
        Assert.Empty(Reconcile(ledger, ("trained", "v3")));
        Assert.Equal(["trained"], ledger.Present);
    }
}
