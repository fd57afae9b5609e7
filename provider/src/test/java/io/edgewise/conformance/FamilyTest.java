package io.edgewise.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A test method run per provider and per protocol family: parameters (SelectorProvider, ProtocolFamily). */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0} {1}")
@MethodSource("io.edgewise.conformance.Providers#bothWithFamilies")
public @interface FamilyTest { }
