import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Checks that every class, method and field the classes of the first jar name in {@code io.grpc}
 * exists in the other jars: the agent runs grpc-okhttp of one release against the rest of gRPC of
 * another, and a missing member would only show as a NoSuchMethodError on the path that uses it.
 *
 * <p>{@code java scripts/GrpcLinkage.java CHECKED.jar OTHER.jar...} (JDK 24 or later: the class-file
 * API); exits 1 and names each reference that does not resolve.
 */
public final class GrpcLinkage {
    private static final String CHECKED_PACKAGE = "io/grpc/";
    private final Map<String, ClassModel> classes = new HashMap<>();

    public static void main(String[] args) throws IOException {
        GrpcLinkage linkage = new GrpcLinkage();
        Set<String> checked = new TreeSet<>();
        for (int i = 0; i < args.length; i++) {
            for (ClassModel model : readClasses(args[i])) {
                linkage.classes.put(model.thisClass().asInternalName(), model);
                if (i == 0) {
                    checked.add(model.thisClass().asInternalName());
                }
            }
        }
        List<String> missing = new ArrayList<>();
        int references = 0;
        for (String name : checked) {
            for (PoolEntry entry : linkage.classes.get(name).constantPool()) {
                if (entry instanceof MemberRefEntry member && member.owner().asInternalName().startsWith(CHECKED_PACKAGE)) {
                    references++;
                    String owner = member.owner().asInternalName();
                    if (!linkage.declares(owner, member.name().stringValue(), member.type().stringValue(),
                            member instanceof FieldRefEntry)) {
                        missing.add(name + " -> " + owner + "." + member.name().stringValue() + member.type().stringValue());
                    }
                } else if (entry instanceof ClassEntry type && type.asInternalName().startsWith(CHECKED_PACKAGE)) {
                    references++;
                    if (!linkage.classes.containsKey(type.asInternalName())) {
                        missing.add(name + " -> class " + type.asInternalName());
                    }
                }
            }
        }
        missing.forEach(reference -> System.out.println("grpc-linkage: missing: " + reference));
        System.out.println("grpc-linkage: " + checked.size() + " classes of " + args[0] + ", " + references
                + " references into gRPC, " + missing.size() + " missing");
        System.exit(missing.isEmpty() ? 0 : 1);
    }

    private static List<ClassModel> readClasses(String jarPath) throws IOException {
        List<ClassModel> models = new ArrayList<>();
        try (JarFile jar = new JarFile(jarPath)) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                    models.add(ClassFile.of().parse(jar.getInputStream(entry).readAllBytes()));
                }
            }
        }
        return models;
    }

    /** Whether {@code owner} or one of its gRPC super types declares the member; JDK super types are taken as given. */
    private boolean declares(String owner, String name, String descriptor, boolean field) {
        ClassModel model = classes.get(owner);
        if (model == null) {
            return !owner.startsWith(CHECKED_PACKAGE);
        }
        if (field) {
            for (FieldModel candidate : model.fields()) {
                if (candidate.fieldName().equalsString(name) && candidate.fieldType().equalsString(descriptor)) {
                    return true;
                }
            }
        } else {
            for (MethodModel candidate : model.methods()) {
                if (candidate.methodName().equalsString(name) && candidate.methodType().equalsString(descriptor)) {
                    return true;
                }
            }
        }
        List<String> superTypes = new ArrayList<>();
        model.superclass().ifPresent(type -> superTypes.add(type.asInternalName()));
        model.interfaces().forEach(type -> superTypes.add(type.asInternalName()));
        for (String superType : superTypes) {
            if (classes.containsKey(superType) ? declares(superType, name, descriptor, field)
                    : !superType.startsWith(CHECKED_PACKAGE) && !superType.equals("java/lang/Object")) {
                return true;
            }
        }
        return false;
    }
}
