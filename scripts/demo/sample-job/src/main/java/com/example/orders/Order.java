package com.example.orders;

/** An e-commerce order; a public-field POJO so Flink's PojoSerializer handles it without Kryo. */
public class Order {
    public long orderId;
    public long customerId;
    public String customerName;
    public String customerEmail;
    public String shippingAddress;
    public String currency;
    public long createdAtMillis;
    public String note;
    public LineItem[] items;

    public Order() {}

    /** One position of an order. */
    public static class LineItem {
        public String sku;
        public String title;
        public int quantity;
        public long unitPriceCents;

        public LineItem() {}
    }
}
