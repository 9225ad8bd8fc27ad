using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Storage;

namespace Peft.Runtime.Tests.Adapters.Storage;

/// <summary>Client paths resolve only to real directories inside the roots: "..", absolute paths elsewhere and
/// symbolic links that lead out are refused, with the reason and a message naming the request and the roots.</summary>
public sealed class AdapterStorePathTests : IDisposable
{
    private readonly TempTree tree = new();
    private readonly string rootA;
    private readonly string rootB;
    private readonly string outside;
    private readonly AdapterPathResolver resolver;

    public AdapterStorePathTests()
    {
        rootA = tree.Dir("roots/a");
        rootB = tree.Dir("roots/b");
        outside = tree.Adapter("outside/secret");
        resolver = new AdapterPathResolver([rootA, rootB]);
    }

    public void Dispose() => tree.Dispose();

    [Fact]
    public void A_relative_path_is_tried_against_each_root_in_order()
    {
        string inA = tree.Adapter("roots/a/shared");
        tree.Adapter("roots/b/shared");
        string onlyInB = tree.Adapter("roots/b/team/only-b");

        Assert.Equal(inA, resolver.Resolve("shared"));
        Assert.Equal(onlyInB, resolver.Resolve("team/only-b"));
        Assert.Equal(onlyInB, resolver.Resolve("./team//only-b/"));
    }

    [Fact]
    public void An_absolute_path_under_any_root_resolves_to_itself()
    {
        string adapter = tree.Adapter("roots/b/x");

        Assert.Equal(adapter, resolver.Resolve(adapter));
        Assert.Equal(adapter, resolver.Resolve(adapter + "/"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../roots/a/x")]
    [InlineData("x/../x")]
    [InlineData("x/..")]
    [InlineData("x/../../a/x")]
    [InlineData("x\\..\\x")]
    public void A_dotdot_segment_is_refused_even_when_it_would_land_inside_a_root(string requested)
    {
        tree.Adapter("roots/a/x");

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve(requested));

        Assert.Equal(AdapterPathReason.Invalid, e.Reason);
        Assert.Equal(requested, e.RequestedPath);
        Assert.Equal($"adapter path '{requested}' contains a '..' segment (adapter roots: {rootA}, {rootB})", e.Message);
    }

    [Fact]
    public void An_absolute_path_with_dotdot_is_refused_even_when_it_would_land_inside_a_root()
    {
        tree.Adapter("roots/a/x");

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve($"{rootA}/x/../x"));

        Assert.Equal(AdapterPathReason.Invalid, e.Reason);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("  ", "is empty")]
    [InlineData("a\0b", "contains a NUL character")]
    public void Empty_and_NUL_paths_are_invalid(string requested, string why)
    {
        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve(requested));

        Assert.Equal(AdapterPathReason.Invalid, e.Reason);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_path_outside_the_roots_is_refused_with_a_message_naming_request_and_roots()
    {
        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve(outside));

        Assert.Equal(AdapterPathReason.OutsideRoots, e.Reason);
        Assert.Equal($"adapter path '{outside}' is not under any adapter root (adapter roots: {rootA}, {rootB})", e.Message);
    }

    [Fact]
    public void A_sibling_whose_name_extends_a_root_is_outside_it()
    {
        string sibling = tree.Adapter("roots/a-old/x");

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve(sibling));

        Assert.Equal(AdapterPathReason.OutsideRoots, e.Reason);
    }

    [Fact]
    public void A_symlinked_directory_inside_a_root_that_points_outside_is_a_symlink_escape()
    {
        Directory.CreateSymbolicLink(Path.Combine(rootA, "escape"), outside);

        foreach (string requested in new[] { "escape", Path.Combine(rootA, "escape") })
        {
            var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve(requested));

            Assert.Equal(AdapterPathReason.SymlinkEscape, e.Reason);
            Assert.Equal($"adapter path '{requested}' is under an adapter root, but a symbolic link on the way leads outside every root (adapter roots: {rootA}, {rootB})", e.Message);
            Assert.DoesNotContain(outside, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_symlink_in_a_middle_component_that_points_outside_is_a_symlink_escape()
    {
        Directory.CreateSymbolicLink(Path.Combine(rootA, "team"), tree.At("outside"));

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve("team/secret"));

        Assert.Equal(AdapterPathReason.SymlinkEscape, e.Reason);
    }

    [Fact]
    public void A_symlink_to_another_place_inside_the_roots_is_allowed_and_resolves_to_the_real_directory()
    {
        string target = tree.Adapter("roots/b/real");
        Directory.CreateSymbolicLink(Path.Combine(rootA, "alias"), target);
        // A relative link target, as `ln -s ../b/real` makes.
        Directory.CreateSymbolicLink(Path.Combine(rootA, "relative-alias"), "../b/real");

        Assert.Equal(target, resolver.Resolve("alias"));
        Assert.Equal(target, resolver.Resolve(Path.Combine(rootA, "relative-alias")));
    }

    [Fact]
    public void A_root_reached_through_a_symlink_works_by_either_name()
    {
        string realRoot = tree.Dir("real-root");
        string adapter = tree.Adapter("real-root/x");
        string linkRoot = tree.At("link-root");
        Directory.CreateSymbolicLink(linkRoot, realRoot);
        var linked = new AdapterPathResolver([linkRoot]);

        Assert.Equal(adapter, linked.Resolve("x"));
        Assert.Equal(adapter, linked.Resolve(Path.Combine(linkRoot, "x")));
        Assert.Equal(adapter, linked.Resolve(adapter));
    }

    [Theory]
    [InlineData(AdapterFiles.WeightsFile)]
    [InlineData(AdapterFiles.ConfigFile)]
    public void An_adapter_file_symlinked_outside_the_roots_is_a_symlink_escape(string file)
    {
        string adapter = tree.Adapter("roots/a/sneaky");
        File.Delete(Path.Combine(adapter, file));
        File.CreateSymbolicLink(Path.Combine(adapter, file), Path.Combine(outside, file));

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve("sneaky"));

        Assert.Equal(AdapterPathReason.SymlinkEscape, e.Reason);
        Assert.Equal($"adapter path 'sneaky' has {file} as a symbolic link that leads outside every adapter root (adapter roots: {rootA}, {rootB})", e.Message);
    }

    [Fact]
    public void An_adapter_file_symlinked_to_another_root_is_allowed()
    {
        string shared = tree.Adapter("roots/b/shared-weights");
        string adapter = tree.Adapter("roots/a/reuses");
        File.Delete(Path.Combine(adapter, AdapterFiles.WeightsFile));
        File.CreateSymbolicLink(Path.Combine(adapter, AdapterFiles.WeightsFile), Path.Combine(shared, AdapterFiles.WeightsFile));

        Assert.Equal(adapter, resolver.Resolve("reuses"));
    }

    [Fact]
    public void A_dangling_adapter_file_link_is_not_found()
    {
        string adapter = tree.Adapter("roots/a/dangling");
        File.Delete(Path.Combine(adapter, AdapterFiles.WeightsFile));
        File.CreateSymbolicLink(Path.Combine(adapter, AdapterFiles.WeightsFile), tree.At("outside/nothing-here"));

        var e = Assert.Throws<AdapterPathException>(() => resolver.Resolve("dangling"));

        Assert.Equal(AdapterPathReason.NotFound, e.Reason);
    }

    [Fact]
    public void Missing_directories_are_not_found()
    {
        tree.Adapter("roots/a/present");
        File.WriteAllText(Path.Combine(rootA, "a-file"), "not a directory");

        var relative = Assert.Throws<AdapterPathException>(() => resolver.Resolve("absent"));
        var absolute = Assert.Throws<AdapterPathException>(() => resolver.Resolve(Path.Combine(rootB, "absent")));
        var file = Assert.Throws<AdapterPathException>(() => resolver.Resolve("a-file"));

        Assert.Equal(AdapterPathReason.NotFound, relative.Reason);
        Assert.Equal($"adapter path 'absent' names no adapter directory under any adapter root (adapter roots: {rootA}, {rootB})", relative.Message);
        Assert.Equal(AdapterPathReason.NotFound, absolute.Reason);
        Assert.Equal($"adapter path '{rootB}/absent' does not exist (adapter roots: {rootA}, {rootB})", absolute.Message);
        Assert.Equal(AdapterPathReason.NotFound, file.Reason);
    }

    [Fact]
    public void A_root_that_does_not_exist_is_refused_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new AdapterPathResolver([tree.At("nope")]));
        Assert.Throws<ArgumentException>(() => new AdapterPathResolver(["relative/root"]));
    }
}
