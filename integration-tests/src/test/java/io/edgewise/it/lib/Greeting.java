package io.edgewise.it.lib;

/** Lives in a jar of its own that the application jar names in its Class-Path manifest entry. */
public final class Greeting {
    private Greeting() { }

    public static String text() {
        return "hello from lib";
    }
}
