using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
#if NET
using System.Reflection.Emit;
#endif

namespace XenVbd.Device
{
    /// <summary>
    /// The state of every object reachable from a root, kept so that the same objects can be put back to it
    /// in place. Capture walks the graph once (reflection, at setup) and keeps a shallow copy of each object
    /// and array; <see cref="Restore"/> copies every copy's fields back into its live twin. Because the live
    /// objects keep their identity, everything that points at them (dictionaries keyed by reference, the
    /// caller's own references to the frontend or the host, delegates bound to them) stays valid, and a
    /// restore allocates nothing. What the fields do not hold (guest memory in an anonymous mapping) comes
    /// back through <see cref="ISnapshotContent"/>.
    /// </summary>
    /// <remarks>
    /// Not copied: strings, types and reflection objects, boxed values, delegates themselves (their targets
    /// are), stateless comparers, objects reachable from the engine's static fields (shared by every device:
    /// personality tables, singletons), and fields marked <see cref="SnapshotExemptAttribute"/>. Refused with
    /// a NotSupportedException naming the path: anything holding an operating-system handle, a thread or a
    /// task, whose state cannot be put back by copying fields.
    /// </remarks>
    internal sealed class ObjectGraphSnapshot
    {
        private static readonly ConcurrentDictionary<Type, TypeInfo> Types = new ConcurrentDictionary<Type, TypeInfo>();
        private static readonly object SharedLock = new object();
        private static HashSet<object>? _shared;

        private readonly object[] _live;
        private readonly object[] _saved;
        private readonly Action<object, object>?[] _copy;
        private readonly ISnapshotContent[] _contentOwners;
        private readonly object?[] _content;
        private readonly HashSet<object> _captured;

        private ObjectGraphSnapshot(List<object> live, List<object> saved, List<Action<object, object>?> copy, List<ISnapshotContent> owners, List<object?> content, HashSet<object> captured)
        {
            _live = live.ToArray();
            _saved = saved.ToArray();
            _copy = copy.ToArray();
            _contentOwners = owners.ToArray();
            _content = content.ToArray();
            _captured = captured;
            long bytes = 0;
            foreach (var s in _saved) bytes += s is Array a ? ArrayBytes(a) : 8L * Math.Max(1, TypeOf(s.GetType()).Fields.Length) + 16;
            ApproximateBytes = bytes;
        }

        /// <summary>Objects and arrays the snapshot puts back.</summary>
        public int ObjectCount => _live.Length;

        /// <summary>Roughly what the copies hold (8 bytes a field, arrays by element size).</summary>
        public long ApproximateBytes { get; }

        /// <summary>Whether <paramref name="o"/> is one of the objects this snapshot restores.</summary>
        public bool Contains(object o) => _captured.Contains(o);

        /// <summary>The live objects of type <typeparamref name="T"/> in the graph.</summary>
        public IEnumerable<T> LiveOf<T>() where T : class => _live.OfType<T>();

        public static ObjectGraphSnapshot Capture(object root)
        {
            if (root == null) throw new ArgumentNullException(nameof(root));
            var shared = SharedObjects();
            var seen = new HashSet<object>(ReferenceComparer.Instance);
            var live = new List<object>();
            var saved = new List<object>();
            var copy = new List<Action<object, object>?>();
            var owners = new List<ISnapshotContent>();
            var content = new List<object?>();
            var queue = new Queue<KeyValuePair<object, string>>();
            queue.Enqueue(new KeyValuePair<object, string>(root, root.GetType().Name));
            seen.Add(root);
            while (queue.Count > 0)
            {
                var item = queue.Dequeue();
                object o = item.Key;
                string path = item.Value;
                if (o is ISnapshotContent hook)
                {
                    owners.Add(hook);
                    content.Add(hook.CaptureContent());
                }

                if (o is Array array)
                {
                    live.Add(array);
                    saved.Add(array.Clone());
                    copy.Add(null);
                    var element = array.GetType().GetElementType()!;
                    if (!HoldsReferences(element)) continue;
                    int i = 0;
                    foreach (object? e in array)
                    {
                        if (element.IsValueType) VisitStruct(e!, path + "[" + i + "]", Enqueue);
                        else Enqueue(e, path + "[" + i + "]");
                        i++;
                    }
                    continue;
                }

                var info = TypeOf(o.GetType());
                if (info.Fields.Length > 0)
                {
                    live.Add(o);
                    object clone = info.Clone(o);
                    GC.SuppressFinalize(clone);
                    saved.Add(clone);
                    copy.Add(info.Copy);
                }
                foreach (var f in info.References)
                {
                    object? v = f.GetValue(o);
                    if (v == null) continue;
                    if (f.FieldType.IsValueType) VisitStruct(v, path + "." + f.Name, Enqueue);
                    else Enqueue(v, path + "." + f.Name);
                }
            }

            var captured = new HashSet<object>(live, ReferenceComparer.Instance);
            return new ObjectGraphSnapshot(live, saved, copy, owners, content, captured);

            void Enqueue(object? v, string at)
            {
                if (v == null || shared.Contains(v)) return;
                if (v is Delegate d)
                {
                    foreach (var single in d.GetInvocationList())
                    {
                        if (single.Target != null && !ReferenceEquals(single.Target, v)) Enqueue(single.Target, at + ".Target");
                    }
                    return;
                }
                if (v.GetType().IsValueType)
                {
                    // A box is never changed in place; what it points at may be.
                    VisitStruct(v, at, Enqueue);
                    return;
                }
                if (IsImmutable(v.GetType())) return;
                Refuse(v.GetType(), at);
                if (seen.Add(v)) queue.Enqueue(new KeyValuePair<object, string>(v, at));
            }
        }

        /// <summary>Puts every captured object back as it was; objects made since become unreachable.</summary>
        public void Restore()
        {
            for (int i = 0; i < _contentOwners.Length; i++) _contentOwners[i].RestoreContent(_content[i], _captured);
            for (int i = 0; i < _live.Length; i++)
            {
                var c = _copy[i];
                if (c == null) Array.Copy((Array)_saved[i], (Array)_live[i], ((Array)_saved[i]).Length);
                else c(_saved[i], _live[i]);
            }
        }

        /// <summary>Copies every field of <paramref name="from"/> into <paramref name="to"/> (same type).</summary>
        public static void CopyFields(object from, object to)
        {
            if (from.GetType() != to.GetType()) throw new ArgumentException("Both objects must have the same type.", nameof(to));
            TypeOf(from.GetType()).Copy(from, to);
        }

        /// <summary>Field-by-field equality of two objects of the same type (values compared with Equals).</summary>
        public static bool FieldsEqual(object a, object b)
        {
            if (a.GetType() != b.GetType()) return false;
            return TypeOf(a.GetType()).Fields.All(f => Equals(f.GetValue(a), f.GetValue(b)));
        }

        private static void VisitStruct(object boxed, string path, Action<object?, string> enqueue)
        {
            foreach (var f in TypeOf(boxed.GetType()).References)
            {
                object? v = f.GetValue(boxed);
                if (v == null) continue;
                if (f.FieldType.IsValueType) VisitStruct(v, path + "." + f.Name, enqueue);
                else enqueue(v, path + "." + f.Name);
            }
        }

        private static bool IsImmutable(Type t)
        {
            if (t.IsValueType || t == typeof(string) || typeof(MemberInfo).IsAssignableFrom(t) || typeof(Assembly).IsAssignableFrom(t)
                || typeof(Module).IsAssignableFrom(t) || t == typeof(System.Globalization.CultureInfo) || typeof(System.Text.Encoding).IsAssignableFrom(t))
                return true;
            // The runtime's comparers (EqualityComparer<T>.Default and kin) hold no state.
            return t.Assembly == typeof(object).Assembly && t.Name.IndexOf("Comparer", StringComparison.Ordinal) >= 0;
        }

        private static void Refuse(Type t, string path)
        {
            if (typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(t) || typeof(System.Threading.WaitHandle).IsAssignableFrom(t)
                || typeof(System.IO.Stream).IsAssignableFrom(t) || typeof(System.Threading.Thread).IsAssignableFrom(t)
                || typeof(System.Threading.Tasks.Task).IsAssignableFrom(t) || typeof(System.Threading.Timer).IsAssignableFrom(t))
            {
                throw new NotSupportedException("A device snapshot cannot hold a " + t.FullName + " (at " + path + "): its state lives outside the process's objects. "
                    + "Snapshot a device on the in-memory disk before attaching anything that owns a handle, a thread or a task.");
            }
        }

        private static bool HoldsReferences(Type t)
        {
            if (!t.IsValueType) return true;
            if (t.IsPrimitive || t.IsEnum || t.IsPointer) return false;
            return TypeOf(t).References.Length > 0;
        }

        private static long ArrayBytes(Array a)
        {
            var e = a.GetType().GetElementType()!;
            int size = e.IsValueType ? (e.IsPrimitive ? Math.Max(1, System.Runtime.InteropServices.Marshal.SizeOf(e == typeof(bool) ? typeof(byte) : e == typeof(char) ? typeof(short) : e)) : 16) : 8;
            return 24 + (long)a.Length * size;
        }

        private static TypeInfo TypeOf(Type t) => Types.GetOrAdd(t, x => new TypeInfo(x));

        /// <summary>
        /// Objects reachable from the engine's static fields: shared by every device (personality tables,
        /// cached singletons), so a snapshot of one device must neither copy nor restore them.
        /// </summary>
        private static HashSet<object> SharedObjects()
        {
            lock (SharedLock)
            {
                if (_shared != null) return _shared;
                var set = new HashSet<object>(ReferenceComparer.Instance);
                var queue = new Queue<object>();
                void Add(object? v)
                {
                    if (v == null || v is string || (v.GetType().IsValueType && !HoldsReferences(v.GetType()))) return;
                    if (set.Add(v)) queue.Enqueue(v);
                }
                foreach (var t in typeof(ObjectGraphSnapshot).Assembly.GetTypes())
                {
                    if (t.ContainsGenericParameters) continue;
                    foreach (var f in t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        if (f.IsLiteral || f.FieldType.IsPointer || f.FieldType.IsByRef) continue;
                        if (f.DeclaringType == typeof(ObjectGraphSnapshot)) continue;
                        object? v;
                        try { v = f.GetValue(null); }
                        catch (Exception ex) when (ex is TypeInitializationException || ex is TargetInvocationException || ex is NotSupportedException || ex is FieldAccessException) { continue; }
                        Add(v);
                    }
                }
                while (queue.Count > 0)
                {
                    object o = queue.Dequeue();
                    if (o is Delegate d)
                    {
                        foreach (var single in d.GetInvocationList()) if (single.Target != null && !ReferenceEquals(single.Target, d)) Add(single.Target);
                        continue;
                    }
                    if (o is Array a)
                    {
                        var e = a.GetType().GetElementType()!;
                        if (!HoldsReferences(e)) continue;
                        foreach (object? x in a) Add(x);
                        continue;
                    }
                    var type = o.GetType();
                    if (type.IsPointer || typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type)) continue;
                    foreach (var f in TypeOf(type).References) Add(f.GetValue(o));
                }
                _shared = set;
                return set;
            }
        }

        /// <summary>Per type: its instance fields (all levels, exempt ones left out), those that can lead to objects, a copier.</summary>
        private sealed class TypeInfo
        {
            private static readonly MethodInfo MemberwiseCloneMethod = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

            public TypeInfo(Type t)
            {
                var fields = new List<FieldInfo>();
                for (var x = t; x != null && x != typeof(object); x = x.BaseType)
                {
                    foreach (var f in x.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        if (f.IsDefined(typeof(SnapshotExemptAttribute), false)) continue;
                        fields.Add(f);
                    }
                }
                Fields = fields.ToArray();
                References = Fields.Where(f => !f.FieldType.IsPointer && !f.FieldType.IsPrimitive && !f.FieldType.IsEnum
                    && (!f.FieldType.IsValueType || f.FieldType == t || HoldsReferencesShallow(f.FieldType))).ToArray();
                Copy = t.IsValueType || t.IsArray ? (_, __) => { } : BuildCopier(t, Fields);
            }

            public FieldInfo[] Fields { get; }

            public FieldInfo[] References { get; }

            public Action<object, object> Copy { get; }

            public object Clone(object o) => MemberwiseCloneMethod.Invoke(o, null)!;

            private static bool HoldsReferencesShallow(Type structType)
            {
                foreach (var f in structType.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    var ft = f.FieldType;
                    if (ft.IsPointer || ft.IsPrimitive || ft.IsEnum) continue;
                    if (!ft.IsValueType) return true;
                    if (ft != structType && HoldsReferencesShallow(ft)) return true;
                }
                return false;
            }

            private static Action<object, object> BuildCopier(Type t, FieldInfo[] fields)
            {
#if NET
                var m = new DynamicMethod("SnapshotCopy_" + t.Name, null, new[] { typeof(object), typeof(object) }, typeof(ObjectGraphSnapshot).Module, skipVisibility: true);
                var il = m.GetILGenerator();
                foreach (var f in fields)
                {
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Castclass, t);
                    il.Emit(OpCodes.Ldarg_0);
                    il.Emit(OpCodes.Castclass, t);
                    il.Emit(OpCodes.Ldfld, f);
                    il.Emit(OpCodes.Stfld, f);
                }
                il.Emit(OpCodes.Ret);
                return (Action<object, object>)m.CreateDelegate(typeof(Action<object, object>));
#else
                return (from, to) =>
                {
                    foreach (var f in fields) f.SetValue(to, f.GetValue(from));
                };
#endif
            }
        }

        private sealed class ReferenceComparer : IEqualityComparer<object>
        {
            public static readonly ReferenceComparer Instance = new ReferenceComparer();

            public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

            public int GetHashCode(object obj) => RuntimeHelpers.GetHashCode(obj);
        }
    }
}
