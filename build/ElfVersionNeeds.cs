// Compiled twice: as an MSBuild inline task (netstandard2.0, hence the plain C#) (build/TorchSharpNative.targets) and, with PEFT_ELF_READER_ONLY
// defined, into the Runtime tests that check the patched output. It may use only the BCL and MSBuild's API.
//
// Why this exists: libLibTorchSharp.so (TorchSharp 0.107.0) lists GLIBCXX_3.4.32 among the versions it needs
// from libstdc++.so.6. The only symbol bound to that version is the marker _ZSt21ios_base_library_initv,
// which has no relocation, so nothing at run time uses it. GCC 12 distributions (Debian 12, Ubuntu 22.04)
// ship a libstdc++ without that version, and the dynamic loader refuses the whole library. Marking that one
// version need weak (VER_FLG_WEAK) turns the hard failure into nothing at all, which is exactly right for
// a symbol nobody calls. docs/build.md describes the step for operators.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
#if !PEFT_ELF_READER_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace Peft.Build
{
    /// <summary>One entry of an ELF file's .gnu.version_r: a version that a needed library must define.</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersions.VerFlagWeak) != 0;
    }

    /// <summary>Reads the GNU symbol-versioning sections of little-endian ELF64 files.</summary>
    public static class ElfVersions
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Every version need (.gnu.version_r) of the file, with where its vna_flags field lives.</summary>
        public static List<ElfVersionNeed> ReadNeeds(byte[] elf)
        {
            var needs = new List<ElfVersionNeed>();
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerneed) continue;
                var strings = Sections(elf)[(int)section.Link];
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = U16(elf, entry + 2);
                    string file = CString(elf, strings.Offset + U32(elf, entry + 4));
                    long aux = entry + U32(elf, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        string name = CString(elf, strings.Offset + U32(elf, aux + 8));
                        needs.Add(new ElfVersionNeed(file, name, U16(elf, aux + 4), aux + 4));
                        aux += U32(elf, aux + 12);
                    }
                    entry += U32(elf, entry + 12);
                }
            }
            return needs;
        }

        /// <summary>The version names a shared library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static HashSet<string> ReadDefinitions(byte[] elf)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerdef) continue;
                var strings = Sections(elf)[(int)section.Link];
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    long aux = entry + U32(elf, entry + 12);
                    names.Add(CString(elf, strings.Offset + U32(elf, aux)));
                    entry += U32(elf, entry + 16);
                }
            }
            return names;
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak. Returns false when the file has no such need or it
        /// is already weak (so calling twice is harmless). The file is replaced, never written in place, so a
        /// hard link to a package cache is broken rather than followed.
        /// </summary>
        public static bool MarkNeedWeak(string path, string version)
        {
            byte[] elf = System.IO.File.ReadAllBytes(path);
            bool changed = false;
            foreach (var need in ReadNeeds(elf))
            {
                if (need.Version != version || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!changed) return false;
            string temp = path + ".patching";
            System.IO.File.WriteAllBytes(temp, elf);
            // A rename, not a write through the old inode: a hard link to the package cache stays untouched.
            System.IO.File.Replace(temp, path, null);
            return true;
        }

        private sealed class Section
        {
            public uint Type;
            public long Offset;
            public uint Link;
            public uint Info;
        }

        private static List<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 is supported");
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A);
            ushort shnum = U16(elf, 0x3C);
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections.Add(new Section
                {
                    Type = U32(elf, h + 4),
                    Offset = (long)U64(elf, h + 24),
                    Link = U32(elf, h + 40),
                    Info = U32(elf, h + 44),
                });
            }
            return sections;
        }

        private static ushort U16(byte[] b, long o) => (ushort)(b[o] | (b[o + 1] << 8));
        private static uint U32(byte[] b, long o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        private static ulong U64(byte[] b, long o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);

        private static string CString(byte[] b, long o)
        {
            long end = o;
            while (b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

    /// <summary>Finds the libstdc++ the dynamic loader would pick on this host, by the usual multiarch paths.</summary>
    public static class HostLibStdCxx
    {
        private static readonly string[] Directories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        };

        public static string? Find()
        {
            foreach (var dir in Directories)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (System.IO.File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>True when the host's libstdc++ is known to define <paramref name="version"/>.</summary>
        public static bool Defines(string version)
        {
            string? path = Find();
            return path != null && ElfVersions.ReadDefinitions(System.IO.File.ReadAllBytes(path)).Contains(version);
        }
    }

#if !PEFT_ELF_READER_ONLY
    /// <summary>MSBuild entry point: marks the GLIBCXX need of libLibTorchSharp.so weak where the host lacks it.</summary>
    public sealed class MarkGlibcxxNeedWeak : Task
    {
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
        [Required] public string Version { get; set; } = "";
        /// <summary>auto: only when the build host's libstdc++ lacks the version; always; never.</summary>
        public string Mode { get; set; } = "auto";

        public override bool Execute()
        {
            if (Mode == "never" || Files.Length == 0) return true;
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return true;
            if (Mode == "auto" && HostLibStdCxx.Defines(Version))
            {
                Log.LogMessage(MessageImportance.Low, $"{HostLibStdCxx.Find()} defines {Version}; libLibTorchSharp.so left as shipped.");
                return true;
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!System.IO.File.Exists(path)) continue;
                try
                {
                    bool changed = ElfVersions.MarkNeedWeak(path, Version);
                    Log.LogMessage(MessageImportance.Normal,
                        changed ? $"Marked the {Version} need of {path} weak." : $"{path}: {Version} need already weak or absent.");
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Log.LogError($"Could not patch {path}: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
